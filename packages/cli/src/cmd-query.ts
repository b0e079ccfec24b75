import { Querier, type DedupFunc } from '@thanos-ts/query';
import { runUntilSignal } from '@thanos-ts/runtime';
import type { Command } from './command';
import { oneOfFlag, UsageError, type FlagValues } from './flags';
import { grpcFlag, httpFlag, logFlags, loggerFromFlags } from './service-flags';

/** Repeatable flags that Thanos also accepts comma-separated. */
function listFlag(flags: FlagValues, name: string): string[] {
  return (flags[name] as string[])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export const queryCommand: Command = {
  name: 'query',
  summary: 'Query all StoreAPI endpoints with PromQL: one global view, HA replicas deduplicated, with a web UI.',
  flags: [
    ...logFlags,
    httpFlag,
    grpcFlag,
    {
      name: 'endpoint',
      kind: 'strings',
      help: 'StoreAPI address (host:port) to query.',
      placeholder: 'host:port',
    },
    {
      name: 'endpoint.sd-files',
      kind: 'strings',
      help: 'file_sd file (JSON or YAML) listing StoreAPI addresses; re-read when it changes.',
      placeholder: 'path',
    },
    {
      name: 'query.replica-label',
      kind: 'strings',
      help: 'Label naming the replica of a series; series differing only in it are deduplicated.',
      placeholder: 'name',
    },
    {
      name: 'deduplication.func',
      kind: 'string',
      help: 'Deduplication algorithm: penalty or chain.',
      default: 'penalty',
    },
    { name: 'query.timeout', kind: 'duration', help: 'Maximum time to process a query.', default: '2m' },
    {
      name: 'query.max-samples',
      kind: 'int',
      help: 'Maximum number of samples a single query may load into memory.',
      default: 50_000_000,
    },
    { name: 'query.lookback-delta', kind: 'duration', help: 'How far back instant selectors look.', default: '5m' },
    {
      name: 'query.default-evaluation-interval',
      kind: 'duration',
      help: 'Step of subqueries written without one.',
      default: '1m',
    },
    { name: 'query.default-step', kind: 'duration', help: 'Step of range queries sent without one.', default: '1s' },
    {
      name: 'query.auto-downsampling',
      kind: 'bool',
      help: 'Use downsampled data when max_source_resolution is not given: step/5, as Thanos does.',
    },
    {
      name: 'query.partial-response',
      kind: 'bool',
      help: 'Answer with the stores that worked (and warnings) when some fail; per request: partial_response.',
      default: true,
    },
    {
      name: 'store.response-timeout',
      kind: 'duration',
      help: 'Deadline of each store call (0s: only --query.timeout applies).',
      default: '0s',
    },
  ],
  async run(flags) {
    const endpoints = listFlag(flags, 'endpoint');
    const sdFiles = flags['endpoint.sd-files'] as string[];
    if (endpoints.length === 0 && sdFiles.length === 0) {
      throw new UsageError('no store endpoints configured: use --endpoint or --endpoint.sd-files');
    }
    const logger = loggerFromFlags(flags, 'query');
    const shownFlags: Record<string, string> = {};
    for (const [k, v] of Object.entries(flags)) if (v !== undefined) shownFlags[k] = String(v);
    const querier = new Querier({
      httpAddress: flags['http-address'] as string,
      grpcAddress: flags['grpc-address'] as string,
      endpoints,
      sdFiles,
      replicaLabels: listFlag(flags, 'query.replica-label'),
      dedupFunc: oneOfFlag<DedupFunc>(flags, 'deduplication.func', ['penalty', 'chain']),
      partialResponse: flags['query.partial-response'] as boolean,
      autoDownsampling: flags['query.auto-downsampling'] as boolean,
      queryTimeoutMs: flags['query.timeout'] as number,
      maxSamples: flags['query.max-samples'] as number,
      lookbackDeltaMs: flags['query.lookback-delta'] as number,
      defaultEvaluationIntervalMs: flags['query.default-evaluation-interval'] as number,
      defaultStepMs: flags['query.default-step'] as number,
      storeTimeoutMs: flags['store.response-timeout'] as number,
      flags: shownFlags,
      logger,
    });
    logger.info('starting query', { endpoints: endpoints.join(','), sd_files: sdFiles.join(',') });
    await querier.start();
    return runUntilSignal([{ name: 'querier', stop: () => querier.stop() }], logger);
  },
};
