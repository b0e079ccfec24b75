export {
  META_FILENAME,
  META_VERSION_1,
  GO_ZERO_TIME,
  BlockMetaError,
  parseBlockMeta,
  encodeBlockMeta,
  readBlockMeta,
  writeBlockMeta,
  formatGoTime,
} from './block-meta';
export type { BlockMeta, BlockDesc, BlockStats, BlockMetaCompaction, ThanosMeta, ThanosFile } from './block-meta';
export { encodeUlid, parseUlid, isUlid, ulidTime, newUlid, UlidGenerator, InvalidUlidError } from './ulid';
export type { UlidParts } from './ulid';
export { goJsonIndent, goJsonString, GoJsonStruct } from './go-json';
export type { GoJsonValue } from './go-json';
