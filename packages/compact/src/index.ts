export { Compactor, HaltError, DOWNSAMPLE_RANGES, simulatePlans } from './compactor';
export type { CompactorOptions, CrashPoint, IterationResult } from './compactor';
export { runCompact, serveBucketWeb } from './run';
export type { RunCompactOptions, BucketWebOptions } from './run';
export { crashInjection, CRASH_ENV } from './crash-points';
export { planCompaction, splitByRange, firstOverlappingRun, DEFAULT_COMPACTION_RANGES } from './planner';
export type { Plan, PlannerMeta } from './planner';
export { compactBlocks, downsampleBlock, openBlocks, DownsampleError } from './block-build';
export type { CompactOptions, DownsampleReport } from './block-build';
export { mergeSeriesChunks, UnmergeableOverlapError } from './series-merge';
export type { DedupFunc } from './series-merge';
export {
  downsampleRawSeries,
  downsampleAggrSeries,
  applyCounterResets,
  windowEnd,
  RESOLUTION_RAW,
  RESOLUTION_5M,
  RESOLUTION_1H,
} from './downsample';
export type { SampleColumns, CounterSamples } from './downsample';
export { groupBlocks, groupKey, groupLabels, labelsHash, initGroupHashing, formatLabelSet } from './groups';
export type { Group } from './groups';
export {
  parseRetentionOverrides,
  loadRetentionOverrides,
  parseRetentionDuration,
  retentionFor,
  isExpired,
  KEEP_FOREVER,
  RetentionConfigError,
} from './retention';
export type { Retention, RetentionOverride } from './retention';
export { readBucketState, markQuarantined, QUARANTINE_REASON, NO_DOWNSAMPLE_MARK_FILENAME } from './bucket-state';
export type { BucketState, BlockState, NoCompactInfo } from './bucket-state';
export { buildBucketView } from './bucket-view';
export type { BucketView, GroupView, BlockView } from './bucket-view';
export { renderBucketPage, registerBucketUi } from './web-ui';
export { CompactorMetrics } from './metrics';
