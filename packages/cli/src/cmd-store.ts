import { readFileSync } from 'node:fs';
import { createBucket, ObjstoreConfigError, parseObjstoreConfig } from '@thanos-ts/objstore';
import { runUntilSignal } from '@thanos-ts/runtime';
import {
  FlagValueError,
  parseRelabelConfig,
  parseTimeOrDuration,
  RelabelConfigError,
  StoreGateway,
  type RelabelRule,
} from '@thanos-ts/store';
import type { Command } from './command';
import { parseByteSize, UsageError, type FlagValues } from './flags';
import { grpcFlag, httpFlag, logFlags, loggerFromFlags, objstoreFlags, objstoreYaml } from './service-flags';

/** Runs a flag value parser, turning its error into a usage error naming the flag. */
function flagValue<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof FlagValueError || e instanceof RelabelConfigError || e instanceof ObjstoreConfigError) {
      throw new UsageError(`--${flag}: ${e.message}`);
    }
    throw e;
  }
}

function relabelFromFlags(flags: FlagValues): RelabelRule[] {
  const inline = flags['selector.relabel-config'] as string | undefined;
  const file = flags['selector.relabel-config-file'] as string | undefined;
  if (inline && file)
    throw new UsageError('use only one of --selector.relabel-config and --selector.relabel-config-file');
  const text = inline ?? (file ? readFileSync(file, 'utf8') : undefined);
  return text === undefined ? [] : flagValue('selector.relabel-config', () => parseRelabelConfig(text));
}

/** The smaller of two limits where 0 means none. */
function tighter(a: number, b: number): number {
  return a === 0 ? b : b === 0 ? a : Math.min(a, b);
}

export const storeCommand: Command = {
  name: 'store',
  summary: 'Serve the blocks of an object storage bucket over the StoreAPI (store gateway).',
  flags: [
    ...logFlags,
    httpFlag,
    grpcFlag,
    ...objstoreFlags,
    {
      name: 'data-dir',
      kind: 'string',
      help: 'Local directory for index-headers kept between restarts.',
      default: './data',
    },
    {
      name: 'sync-block-duration',
      kind: 'duration',
      help: 'How often to re-read the block list of the bucket.',
      default: '15m',
    },
    {
      name: 'index-cache-size',
      kind: 'string',
      help: 'Byte budget of the in-memory postings and series cache (e.g. 250MB).',
      default: '250MB',
    },
    {
      name: 'chunk-pool-size',
      kind: 'string',
      help: 'Byte budget of the in-memory chunk cache (e.g. 2GB).',
      default: '2GB',
    },
    {
      name: 'min-time',
      kind: 'string',
      help: 'Serve only blocks with data after this time: RFC3339 or a duration relative to now (e.g. -2w).',
      default: '0000-01-01T00:00:00Z',
    },
    {
      name: 'max-time',
      kind: 'string',
      help: 'Serve only blocks with data before this time: RFC3339 or a duration relative to now (e.g. -1d).',
      default: '9999-12-31T23:59:59Z',
    },
    {
      name: 'selector.relabel-config',
      kind: 'string',
      help: 'Relabel rules (YAML) on block external labels and __block_id; dropped blocks are not served.',
    },
    { name: 'selector.relabel-config-file', kind: 'string', help: 'Path to the relabel rules YAML.' },
    {
      name: 'store.limits.request-series',
      kind: 'int',
      help: 'Most series one Series request may touch (0: no limit).',
      default: 0,
    },
    {
      name: 'store.limits.request-samples',
      kind: 'int',
      help: 'Most samples one Series request may return (0: no limit).',
      default: 0,
    },
    {
      name: 'store.grpc.series-sample-limit',
      kind: 'int',
      help: 'Older name of the samples limit; the smaller non-zero of both applies.',
      default: 0,
    },
    {
      name: 'ignore-deletion-marks-delay',
      kind: 'duration',
      help: 'Stop serving blocks this long after they were marked for deletion.',
      default: '24h',
    },
    {
      name: 'store.index-header-lazy-reader-idle-timeout',
      kind: 'duration',
      help: 'Unload the in-memory index-header of a block unused this long; it is read again from --data-dir (0s: never).',
      default: '5m',
    },
    {
      name: 'block-sync-concurrency',
      kind: 'int',
      help: 'How many index-headers are built, and meta.json files read, in parallel.',
      default: 20,
    },
  ],
  async run(flags) {
    const logger = loggerFromFlags(flags, 'store');
    const yaml = objstoreYaml(flags);
    if (yaml === undefined)
      throw new UsageError('no object storage configured: use --objstore.config-file or --objstore.config');
    const bucket = flagValue('objstore.config', () => createBucket(parseObjstoreConfig(yaml), { logger }));
    const requestSamples = flags['store.limits.request-samples'] as number;
    const sampleLimit = tighter(requestSamples, flags['store.grpc.series-sample-limit'] as number);
    const gateway = new StoreGateway({
      bucket,
      dataDir: flags['data-dir'] as string,
      httpAddress: flags['http-address'] as string,
      grpcAddress: flags['grpc-address'] as string,
      logger,
      syncIntervalMs: flags['sync-block-duration'] as number,
      indexCacheBytes: parseByteSize(flags['index-cache-size'] as string, 'index-cache-size'),
      chunkCacheBytes: parseByteSize(flags['chunk-pool-size'] as string, 'chunk-pool-size'),
      filters: {
        minTime: flagValue('min-time', () => parseTimeOrDuration(flags['min-time'] as string)),
        maxTime: flagValue('max-time', () => parseTimeOrDuration(flags['max-time'] as string)),
        relabel: relabelFromFlags(flags),
        ignoreDeletionMarksDelayMs: flags['ignore-deletion-marks-delay'] as number,
      },
      limits: {
        series: flags['store.limits.request-series'] as number,
        seriesFlag: '--store.limits.request-series',
        samples: sampleLimit,
        samplesFlag:
          sampleLimit === requestSamples ? '--store.limits.request-samples' : '--store.grpc.series-sample-limit',
      },
      blockSyncConcurrency: Math.max(1, flags['block-sync-concurrency'] as number),
      indexHeaderIdleMs: flags['store.index-header-lazy-reader-idle-timeout'] as number,
    });
    logger.info('starting store gateway', { bucket: bucket.name, data_dir: flags['data-dir'] });
    await gateway.start();
    return runUntilSignal([{ name: 'store gateway', stop: () => gateway.stop() }], logger);
  },
};
