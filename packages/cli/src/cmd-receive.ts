import { readFileSync } from 'node:fs';
import {
  GRPC_COMPRESSIONS,
  HASHRING_ALGORITHMS,
  HashringConfigError,
  LimitsConfigError,
  noLimits,
  parseLimitsConfig,
  Receiver,
  type WriteLimits,
} from '@thanos-ts/receive';
import { runUntilSignal } from '@thanos-ts/runtime';
import { sortLabels } from '@thanos-ts/tsdb';
import type { Command } from './command';
import { oneOfFlag, parseByteSize, UsageError, type FlagValues } from './flags';
import { Registry } from 'prom-client';
import {
  bucketFromFlags,
  grpcFlag,
  httpFlag,
  logFlags,
  loggerFromFlags,
  objstoreFlags,
  parseLabelFlag,
} from './service-flags';

function limitsFromFlags(flags: FlagValues): WriteLimits {
  const file = flags['receive.limits-config-file'] as string | undefined;
  const inline = flags['receive.limits-config'] as string | undefined;
  const text = inline ?? (file ? readFileSync(file, 'utf8') : undefined);
  if (text === undefined) return noLimits;
  try {
    return parseLimitsConfig(text);
  } catch (e) {
    if (e instanceof LimitsConfigError) throw new UsageError(`limits config: ${e.message}`);
    throw e;
  }
}

export const receiveCommand: Command = {
  name: 'receive',
  summary: 'Accept Prometheus remote_write requests and store them in per-tenant TSDBs.',
  flags: [
    ...logFlags,
    httpFlag,
    grpcFlag,
    ...objstoreFlags,
    {
      name: 'remote-write.address',
      kind: 'string',
      help: 'Listen host:port for the remote-write endpoint.',
      default: '0.0.0.0:19291',
    },
    { name: 'tsdb.path', kind: 'string', help: 'Data directory of the per-tenant TSDBs.', default: './data' },
    { name: 'tsdb.retention', kind: 'duration', help: 'How long to keep local blocks (0: forever).', default: '15d' },
    { name: 'tsdb.min-block-duration', kind: 'duration', help: 'Block duration of head compaction.', default: '2h' },
    {
      name: 'tsdb.max-block-duration',
      kind: 'duration',
      help: 'Maximum block duration (equal to the minimum in receive).',
      default: '2h',
    },
    { name: 'tsdb.wal-compression', kind: 'bool', help: 'Snappy-compress WAL records.', default: true },
    {
      name: 'tsdb.wal-fsync',
      kind: 'bool',
      help: 'fsync the WAL before acknowledging a write (group commit shared by concurrent requests).',
    },
    {
      name: 'tsdb.out-of-order.time-window',
      kind: 'duration',
      help:
        '[EXPERIMENTAL] Configures the allowed time window for ingestion of out-of-order samples. Disabled (0s) by default. ' +
        'Out-of-order samples are logged to wbl/ and compacted into their own blocks (hint from-out-of-order), which overlap ' +
        'in-order blocks; our compactor merges those without --compact.enable-vertical-compaction (a Thanos compactor needs it).',
      default: '0s',
    },
    {
      name: 'tsdb.out-of-order.cap-max',
      kind: 'int',
      help: '[EXPERIMENTAL] Configures the maximum capacity for out-of-order chunks (in samples, at most 255). If set to <=0, default value 32 is assumed.',
      default: 0,
    },
    {
      name: 'tsdb.too-far-in-future.time-window',
      kind: 'duration',
      help: 'Refuse samples further than this in the future (0s: no limit).',
      default: '0s',
    },
    {
      name: 'label',
      kind: 'strings',
      help: 'External label name="value" of this receiver (at least one required).',
      placeholder: 'key="value"',
    },
    {
      name: 'receive.tenant-header',
      kind: 'string',
      help: 'HTTP header naming the tenant of a write.',
      default: 'THANOS-TENANT',
    },
    {
      name: 'receive.default-tenant-id',
      kind: 'string',
      help: 'Tenant of writes without a tenant header.',
      default: 'default-tenant',
    },
    {
      name: 'receive.tenant-label-name',
      kind: 'string',
      help: 'External label that names the tenant of each TSDB.',
      default: 'tenant_id',
    },
    {
      name: 'receive.split-tenant-label-name',
      kind: 'string',
      help: 'Series label whose value names the tenant (the label is removed).',
      default: '',
    },
    {
      name: 'receive.replica-header',
      kind: 'string',
      help: 'HTTP header carrying the replica number of forwarded writes.',
      default: 'THANOS-REPLICA',
    },
    { name: 'receive.limits-config-file', kind: 'string', help: 'Path to the write limits YAML.' },
    {
      name: 'receive.hashrings-file',
      kind: 'string',
      help: 'Path to the hashrings JSON (watched and reloaded).',
    },
    { name: 'receive.hashrings', kind: 'string', help: 'Hashrings JSON inline (instead of a file).' },
    {
      name: 'receive.hashrings-file-refresh-interval',
      kind: 'duration',
      help: 'Re-read period of the hashrings file, besides file-system events.',
      default: '5m',
    },
    {
      name: 'receive.hashrings-algorithm',
      kind: 'string',
      help: 'Hashring algorithm of rings that do not name one: hashmod or ketama.',
      default: 'hashmod',
    },
    {
      name: 'receive.local-endpoint',
      kind: 'string',
      help: 'This receiver as its hashring endpoints name it (gRPC host:port); unset with a hashring: route only.',
    },
    { name: 'receive.replication-factor', kind: 'int', help: 'Copies of each series.', default: 1 },
    {
      name: 'receive-forward-timeout',
      kind: 'duration',
      help: 'Longest wait for the replicas of a write.',
      default: '5s',
    },
    {
      name: 'receive.grpc-compression',
      kind: 'string',
      help: 'Compression of requests forwarded to other receivers: snappy or none (Thanos defaults to snappy; forwards stay on a local network, so we spare the CPU).',
      default: 'none',
    },
    {
      name: 'receive-forward-max-backoff',
      kind: 'duration',
      help: 'Longest pause between retries of a peer that is down.',
      default: '5s',
    },
    {
      name: 'receive.spill.max-bytes',
      kind: 'string',
      help: 'Per peer, on-disk bound of the writes kept while it is down (oldest dropped beyond it).',
      default: '1GiB',
    },
    { name: 'receive.limits-config', kind: 'string', help: 'Write limits YAML inline.' },
  ],
  async run(flags) {
    const labels = (flags.label as string[]).map((l) => parseLabelFlag(l, 'label'));
    if (labels.length === 0) {
      throw new UsageError(
        'no external labels configured for receive, uniquely identifying external labels must be configured (ideally with `receive_` prefix); use --label',
      );
    }
    const oooCapMax = flags['tsdb.out-of-order.cap-max'] as number;
    if (!Number.isSafeInteger(oooCapMax) || oooCapMax > 255) {
      throw new UsageError(`--tsdb.out-of-order.cap-max: must be an integer of at most 255, got ${oooCapMax}`);
    }
    const replicationFactor = flags['receive.replication-factor'] as number;
    if (!Number.isSafeInteger(replicationFactor) || replicationFactor < 1) {
      throw new UsageError(`--receive.replication-factor: must be a positive integer, got ${replicationFactor}`);
    }
    const hashringsAlgorithm = oneOfFlag(flags, 'receive.hashrings-algorithm', HASHRING_ALGORITHMS);
    const spillMaxBytes = parseByteSize(flags['receive.spill.max-bytes'] as string, 'receive.spill.max-bytes');
    const logger = loggerFromFlags(flags, 'receive');
    const registry = new Registry();
    const bucket = bucketFromFlags(flags, logger, registry);
    if (!bucket) logger.info('no object storage configured: blocks stay local (no shipper)');
    const receiver = new Receiver({
      registry,
      bucket,
      retentionMs: flags['tsdb.retention'] as number,
      remoteWriteAddress: flags['remote-write.address'] as string,
      httpAddress: flags['http-address'] as string,
      grpcAddress: flags['grpc-address'] as string,
      tsdbPath: flags['tsdb.path'] as string,
      blockDurationMs: flags['tsdb.min-block-duration'] as number,
      walCompression: flags['tsdb.wal-compression'] as boolean,
      walFsync: flags['tsdb.wal-fsync'] as boolean,
      tooFarInFutureMs: flags['tsdb.too-far-in-future.time-window'] as number,
      outOfOrderTimeWindowMs: flags['tsdb.out-of-order.time-window'] as number,
      outOfOrderCapMax: oooCapMax,
      externalLabels: sortLabels(labels),
      tenantHeader: flags['receive.tenant-header'] as string,
      defaultTenant: flags['receive.default-tenant-id'] as string,
      tenantLabelName: flags['receive.tenant-label-name'] as string,
      splitTenantLabelName: flags['receive.split-tenant-label-name'] as string,
      replicaHeader: flags['receive.replica-header'] as string,
      limits: limitsFromFlags(flags),
      logger,
      hashringsFile: (flags['receive.hashrings-file'] as string | undefined) || undefined,
      hashrings: (flags['receive.hashrings'] as string | undefined) || undefined,
      hashringsRefreshIntervalMs: flags['receive.hashrings-file-refresh-interval'] as number,
      hashringsAlgorithm,
      localEndpoint: (flags['receive.local-endpoint'] as string | undefined) || undefined,
      replicationFactor,
      forwardTimeoutMs: flags['receive-forward-timeout'] as number,
      forwardMaxBackoffMs: flags['receive-forward-max-backoff'] as number,
      grpcCompression: oneOfFlag(flags, 'receive.grpc-compression', GRPC_COMPRESSIONS),
      spillMaxBytes,
    });
    logger.info('starting receive', { tsdb_path: flags['tsdb.path'], mode: receiver.mode });
    try {
      await receiver.start();
    } catch (err) {
      if (err instanceof HashringConfigError) throw new UsageError(`hashrings: ${err.message}`);
      throw err;
    }
    return runUntilSignal([{ name: 'receiver', stop: () => receiver.stop() }], logger);
  },
};
