export { Head, HeadAppender, AppendStatus, appendFloat } from './head';
export type { HeadOptions, AppendStatusValue } from './head';
export { MemSeries } from './memseries';
export type { HeadChunk } from './memseries';
export { labelsKey, bytesEqual } from './labels-key';
export { replayHeadWal } from './replay';
export type { HeadReplayStats, ProgressLogger } from './replay';
