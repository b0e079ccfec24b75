// `thanos-ts store`: the bucket store behind an HTTP server (/metrics, probes) and the
// gRPC StoreAPI, with the block list re-synced every --sync-block-duration.
import type { FastifyInstance } from 'fastify';
import { MetricsBucket, type Bucket } from '@thanos-ts/objstore';
import { createHttpServer, listen, type Logger } from '@thanos-ts/runtime';
import { createStoreServer, type StoreServer } from '@thanos-ts/storepb';
import { Registry } from 'prom-client';
import type { BlockFilters } from './block-sync';
import { BucketStore } from './bucket-store';
import type { SeriesLimits } from './request-stats';

export interface StoreGatewayConfig {
  /** The bucket; it is wrapped in a MetricsBucket unless `bucketMetrics` is false. */
  bucket: Bucket;
  bucketMetrics?: boolean;
  dataDir: string;
  httpAddress: string;
  grpcAddress: string;
  logger: Logger;
  registry?: Registry;
  syncIntervalMs: number;
  indexCacheBytes: number;
  chunkCacheBytes: number;
  filters: BlockFilters;
  limits: SeriesLimits;
  blockSyncConcurrency: number;
  /** Unload index-headers unused this long (0: keep them loaded). */
  indexHeaderIdleMs: number;
}

/** Defaults of Thanos's `thanos store` flags, for embedding and tests. */
export const STORE_DEFAULTS = {
  syncIntervalMs: 15 * 60_000,
  indexCacheBytes: 250 * 2 ** 20,
  chunkCacheBytes: 2 * 2 ** 30,
  blockSyncConcurrency: 20,
  indexHeaderIdleMs: 5 * 60_000,
  filters: {
    minTime: Number.MIN_SAFE_INTEGER,
    maxTime: Number.MAX_SAFE_INTEGER,
    relabel: [],
    ignoreDeletionMarksDelayMs: 24 * 3_600_000,
  } satisfies BlockFilters,
  limits: { series: 0, samples: 0 } satisfies SeriesLimits,
};

/** A retry after a failed sync comes sooner than the next regular one. */
const SYNC_RETRY_MS = 5000;

export class StoreGateway {
  readonly registry: Registry;
  readonly store: BucketStore;
  private http: FastifyInstance | undefined;
  private grpc: StoreServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private syncing: Promise<void> | undefined;
  httpPort = 0;
  grpcPort = 0;
  /** Milliseconds from `start()` until the block list was first read. */
  startupMs: number | undefined;

  constructor(readonly config: StoreGatewayConfig) {
    this.registry = config.registry ?? new Registry();
    const bucket = config.bucketMetrics === false ? config.bucket : new MetricsBucket(config.bucket, this.registry);
    this.store = new BucketStore({
      bucket,
      dataDir: config.dataDir,
      logger: config.logger,
      registry: this.registry,
      indexCacheBytes: config.indexCacheBytes,
      chunkCacheBytes: config.chunkCacheBytes,
      filters: config.filters,
      limits: config.limits,
      blockSyncConcurrency: config.blockSyncConcurrency,
    });
  }

  ready(): boolean {
    return this.store.synced && !this.stopped;
  }

  /** Listens on both addresses and reads the block list; resolves once ready or after the first sync failed. */
  async start(): Promise<void> {
    const log = this.config.logger;
    const began = performance.now();
    this.http = createHttpServer({ logger: log, registry: this.registry, probes: { ready: () => this.ready() } });
    this.httpPort = await listen(this.http, this.config.httpAddress);
    this.grpc = createStoreServer({ store: this.store.store, info: this.store.info });
    await this.grpc.listen(this.config.grpcAddress);
    this.grpcPort = this.grpc.port;
    log.info('listening', { http: this.httpPort, grpc: this.grpcPort });
    await this.syncNow();
    this.startIdleUnloads();
    if (this.store.synced) {
      this.startupMs = performance.now() - began;
      this.store.metrics.startupSeconds.set(this.startupMs / 1000);
      log.info('store gateway ready', {
        blocks: this.store.loadedBlocks().length,
        startup_ms: Math.round(this.startupMs),
      });
    }
  }

  /** Syncs the block list now (one sync at a time) and schedules the next one. */
  syncNow(): Promise<void> {
    this.syncing ??= this.runSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    clearTimeout(this.timer);
    const log = this.config.logger;
    let next = this.config.syncIntervalMs;
    try {
      const r = await this.store.sync();
      log.info('synced block list', { loaded: r.states.loaded, ...omitZero(r.states) });
    } catch (err) {
      log.error('block list sync failed; serving the previous list', { bucket: this.config.bucket.name, err });
      next = Math.min(next, SYNC_RETRY_MS);
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.syncNow(), next);
      this.timer.unref();
    }
  }

  private startIdleUnloads(): void {
    const idle = this.config.indexHeaderIdleMs;
    if (idle <= 0) return;
    this.idleTimer = setInterval(
      () => {
        void this.store.unloadIdle(idle).then((n) => {
          if (n > 0) this.config.logger.debug('unloaded idle index-headers', { blocks: n });
        });
      },
      Math.min(idle, 60_000),
    );
    this.idleTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.idleTimer);
    await this.syncing;
    await this.grpc?.stop(5000);
    await this.http?.close();
    await this.store.close();
  }
}

function omitZero(states: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(states).filter(([k, v]) => v > 0 && k !== 'loaded'));
}
