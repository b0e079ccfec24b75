import {
  crashInjection,
  runCompact,
  RetentionConfigError,
  loadRetentionOverrides,
  type DedupFunc,
} from '@thanos-ts/compact';
import { Registry } from 'prom-client';
import type { Command } from './command';
import { UsageError, type FlagValues } from './flags';
import { bucketFromFlags, httpFlag, logFlags, loggerFromFlags, objstoreFlags } from './service-flags';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Thanos' compaction ranges (levels 0–4); --debug.max-compaction-level keeps the first N+1. */
const RANGES = [1 * HOUR, 2 * HOUR, 8 * HOUR, 2 * DAY, 14 * DAY];

function dedupFunc(flags: FlagValues, replicaLabels: string[]): DedupFunc {
  const f = flags['deduplication.func'] as string;
  if (f !== '' && f !== 'penalty')
    throw new UsageError(`--deduplication.func must be "" or "penalty", got ${JSON.stringify(f)}`);
  if (f === 'penalty' && replicaLabels.length === 0) {
    throw new UsageError('--deduplication.func=penalty needs at least one --deduplication.replica-label');
  }
  return f;
}

/** Thanos refuses retentions shorter than the ranges downsampling needs. */
function checkRetention(flags: FlagValues): void {
  if (flags['downsampling.disable']) return;
  const raw = flags['retention.resolution-raw'] as number;
  const fiveM = flags['retention.resolution-5m'] as number;
  if (raw !== 0 && raw < 40 * HOUR) {
    throw new UsageError('raw resolution retention must be zero or at least 40h (the range downsampling to 5m needs)');
  }
  if (fiveM !== 0 && fiveM < 10 * DAY) {
    throw new UsageError('5m resolution retention must be zero or at least 10d (the range downsampling to 1h needs)');
  }
}

export const compactCommand: Command = {
  name: 'compact',
  summary: 'Continuously compact, downsample and apply retention to the blocks of an object store bucket.',
  flags: [
    ...logFlags,
    httpFlag,
    ...objstoreFlags,
    { name: 'data-dir', kind: 'string', help: 'Scratch directory for blocks being processed.', default: './data' },
    {
      name: 'wait',
      kind: 'bool',
      help: 'Do not exit after one iteration; repeat every --wait-interval and serve HTTP.',
    },
    { name: 'wait-interval', kind: 'duration', help: 'Time between iterations in --wait mode.', default: '5m' },
    {
      name: 'consistency-delay',
      kind: 'duration',
      help: 'Ignore blocks younger than this (unless made by a compactor).',
      default: '30m',
    },
    {
      name: 'delete-delay',
      kind: 'duration',
      help: 'Time between marking a block for deletion and deleting it.',
      default: '48h',
    },
    {
      name: 'retention.resolution-raw',
      kind: 'duration',
      help: 'Retention of raw blocks (0d: forever).',
      default: '0d',
    },
    { name: 'retention.resolution-5m', kind: 'duration', help: 'Retention of 5m blocks (0d: forever).', default: '0d' },
    { name: 'retention.resolution-1h', kind: 'duration', help: 'Retention of 1h blocks (0d: forever).', default: '0d' },
    {
      name: 'retention.overrides-file',
      kind: 'string',
      help: 'YAML mapping external-label matchers to retention per resolution (re-read every iteration).',
    },
    { name: 'downsampling.disable', kind: 'bool', help: 'Do not downsample blocks.' },
    { name: 'compact.concurrency', kind: 'int', help: 'Groups compacted in parallel.', default: 1 },
    {
      name: 'compact.enable-vertical-compaction',
      kind: 'bool',
      help: 'Merge overlapping blocks (vertical compaction).',
    },
    {
      name: 'compact.halt-on-error',
      kind: 'bool',
      help: 'Halt the whole compactor on an unexpected group error (Thanos behaviour) instead of quarantining the group.',
    },
    {
      name: 'deduplication.replica-label',
      kind: 'strings',
      help: 'External label naming replicas; removed for grouping, implies vertical compaction.',
    },
    {
      name: 'deduplication.func',
      kind: 'string',
      help: 'Dedup of overlapping samples: "" (1:1 merge) or "penalty".',
      default: '',
    },
    {
      name: 'debug.max-compaction-level',
      kind: 'int',
      help: 'Highest compaction level (1h, 2h, 8h, 2d, 14d).',
      default: 4,
    },
  ],
  async run(flags) {
    const replicaLabels = flags['deduplication.replica-label'] as string[];
    const dedup = dedupFunc(flags, replicaLabels);
    checkRetention(flags);
    const maxLevel = flags['debug.max-compaction-level'] as number;
    if (maxLevel < 1 || maxLevel > 4) throw new UsageError('--debug.max-compaction-level must be between 1 and 4');
    const overridesFile = flags['retention.overrides-file'] as string | undefined;
    if (overridesFile) {
      try {
        loadRetentionOverrides(overridesFile);
      } catch (e) {
        if (e instanceof RetentionConfigError) throw new UsageError(e.message);
        throw e;
      }
    }
    const logger = loggerFromFlags(flags, 'compact');
    const registry = new Registry();
    const bucket = bucketFromFlags(flags, logger, registry);
    if (!bucket) throw new UsageError('compact needs a bucket: set --objstore.config or --objstore.config-file');
    return runCompact({
      ...crashInjection(process.env, bucket),
      dataDir: flags['data-dir'] as string,
      logger,
      registry,
      wait: flags.wait as boolean,
      waitIntervalMs: flags['wait-interval'] as number,
      httpAddress: flags['http-address'] as string,
      consistencyDelayMs: flags['consistency-delay'] as number,
      deleteDelayMs: flags['delete-delay'] as number,
      enableVerticalCompaction: flags['compact.enable-vertical-compaction'] as boolean,
      replicaLabels,
      dedupFunc: dedup,
      downsampling: !flags['downsampling.disable'],
      retention: {
        raw: flags['retention.resolution-raw'] as number,
        fiveMinutes: flags['retention.resolution-5m'] as number,
        oneHour: flags['retention.resolution-1h'] as number,
      },
      retentionOverridesFile: overridesFile,
      concurrency: flags['compact.concurrency'] as number,
      haltOnError: flags['compact.halt-on-error'] as boolean,
      ranges: RANGES.slice(0, maxLevel + 1),
    });
  },
};
