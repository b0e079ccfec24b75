export { Head, HeadAppender, AppendStatus, appendFloat } from './head';
export type { HeadOptions, AppendStatusValue } from './head';
export { MemSeries } from './memseries';
export type { HeadChunk } from './memseries';
export {
  labelsKey,
  bytesEqual,
  hashKey,
  hashLabelRanges,
  labelRangesKey,
  labelsFromRanges,
  labelString,
} from './labels-key';
export type { LabelRanges } from './labels-key';
export { replayHeadWal } from './replay';
export type { HeadReplayStats, ProgressLogger } from './replay';
export { OooSeriesData, DEFAULT_OOO_CAP_MAX, MAX_OOO_CAP_MAX } from './ooo-chunk';
export { replayHeadWbl } from './ooo-replay';
export type { WblReplayStats } from './ooo-replay';
