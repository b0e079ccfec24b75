export { addInterval, inIntervals } from './intervals';
export type { Interval } from './intervals';
export { TombstoneSet } from './tombstone-set';
export {
  TOMBSTONES_FILENAME,
  TOMBSTONES_MAGIC,
  TOMBSTONES_FORMAT_V1,
  encodeTombstones,
  decodeTombstones,
  readTombstones,
  writeTombstones,
} from './file';
