export { StoreGateway, STORE_DEFAULTS } from './gateway';
export type { StoreGatewayConfig } from './gateway';
export { BucketStore } from './bucket-store';
export type { BucketStoreConfig } from './bucket-store';
export { BucketBlock } from './bucket-block';
export { BlockMetaFetcher } from './block-sync';
export type { BlockFilters, SyncResult, SyncStates } from './block-sync';
export { BlockSet } from './block-set';
export {
  INDEX_HEADER_FILENAME,
  INDEX_HEADER_MAGIC,
  IndexHeaderSource,
  buildIndexHeader,
  decodeIndexHeader,
  encodeIndexHeader,
  loadIndexHeader,
} from './index-header';
export type { IndexHeader } from './index-header';
export { CHUNK_ENC_AGGR, aggrChunkFrom, aggrFields } from './aggr-chunk';
export type { AggrField } from './aggr-chunk';
export { fetchChunks } from './chunk-fetcher';
export type { StoredChunk } from './chunk-fetcher';
export { BucketObjectSource } from './bucket-source';
export { ByteLruCache } from './lru';
export type { CacheObserver } from './lru';
export { BlockLoadError, BucketUnavailableError, LimitExceededError } from './errors';
export { RequestStats } from './request-stats';
export type { SeriesLimits } from './request-stats';
export { RelabelConfigError, parseRelabelConfig, relabel } from './relabel';
export type { RelabelAction, RelabelRule } from './relabel';
export { FlagValueError, parseTimeOrDuration } from './units';
