// The public API of @thanos-ts/tsdb: every sub-module's barrel. Names that two modules
// share are exported once, explicitly.
export * from './encoding/index';
export * from './labels/index';
export * from './chunkenc/index';
export * from './chunks/index';
export * from './index/index';
export {
  RecordType,
  SampleBatch,
  ExemplarBatch,
  encodeSeries,
  encodeSamples,
  encodeTombstones as encodeTombstonesRecord,
  encodeExemplars,
  encodeMetadata,
  recordType,
  decodeSeries,
  decodeSamples,
  decodeTombstones as decodeTombstonesRecord,
  decodeExemplars,
  decodeMetadata,
} from './record/index';
export type { RecordTypeValue, RefSeries, Tombstone, RefMetadata } from './record/index';
export {
  PAGE_SIZE,
  RECORD_HEADER_SIZE,
  DEFAULT_SEGMENT_SIZE as WAL_DEFAULT_SEGMENT_SIZE,
  FragmentType,
  SNAPPY_FLAG,
  segmentName,
  checkpointName,
  listSegments,
  listCheckpoints,
  lastCheckpoint,
  WalWriter,
  WalWriterError,
  WalReader,
  replayWal,
  repairWal,
  truncateAt,
  checkpoint,
  deleteSegmentsBefore,
  deleteCheckpointsBefore,
} from './wal/index';
export type {
  SegmentFile,
  CheckpointDir,
  WalWriterOptions,
  WalRecord,
  TornTail,
  WalReaderOptions,
  ReplayHandler,
  ReplayOptions,
  ReplayProgress,
  ReplayResult,
  RecordLocation,
  CheckpointStats,
} from './wal/index';
export * from './meta/index';
export * from './tombstones/index';
export * from './format/index';
export * from './openmetrics/index';
export * from './head/index';
export * from './db/index';
export * from './block/index';
export * from './querier/index';
