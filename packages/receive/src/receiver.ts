import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Bucket } from '@thanos-ts/objstore';
import { Registry } from 'prom-client';
import { decodeWriteRequestMetadata, type WriteRequestView } from '@thanos-ts/remote-write';
import { createSourceStore, createStoreServer, GrpcStatus, StoreApiError, type StoreServer } from '@thanos-ts/storepb';
import { createHttpServer, listen, type Logger } from '@thanos-ts/runtime';
import type { Label, Labels, ThanosMeta, Tsdb } from '@thanos-ts/tsdb';
import {
  createSeriesHasher,
  determineReceiveMode,
  HashringsFileWatcher,
  loadHashrings,
  MultiHashring,
  type HashringAlgorithm,
  type HashringConfig,
  type ReceiveMode,
  type SeriesHasher,
} from './hashring/index';
import { assignTenants, ingestSeries, InvalidSplitTenantError } from './ingest';
import { limitsFor, noLimits, type WriteLimits } from './limits';
import { ReceiveMetrics } from './metrics';
import { MetricMetadataStore } from './metadata-store';
import { MultiTsdb } from './multitsdb';
import { HttpError, remoteWriteApi } from './remote-write-api';
import { isValidTenant } from './tenancy';
import { Shipper } from './shipper';
import { TenantStoreSource } from './tenant-store';
import { WriteReport } from './write-errors';
import {
  httpStatusOf,
  RouterMetrics,
  serveRawRemoteWrite,
  spillRootOf,
  WriteRouter,
  type ForwardedRequest,
  type GrpcCompression,
  type ReplicaFailure,
} from './router/index';

/** Thanos defaults of the routing flags. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 5000;
export const DEFAULT_FORWARD_MAX_BACKOFF_MS = 5000;
export const DEFAULT_SPILL_MAX_BYTES = 1024 ** 3;

export interface ReceiverConfig {
  remoteWriteAddress: string;
  httpAddress: string;
  grpcAddress: string;
  tsdbPath: string;
  blockDurationMs: number;
  walCompression: boolean;
  /** fsync the WAL before acknowledging (group commit). */
  walFsync: boolean;
  /** Refuse samples newer than now + this (0: no limit). */
  tooFarInFutureMs: number;
  /** `--tsdb.out-of-order.time-window`: accept out-of-order samples this far behind a tenant's newest (0: refuse). */
  outOfOrderTimeWindowMs?: number;
  /** `--tsdb.out-of-order.cap-max`: samples per in-memory out-of-order chunk (<= 0: 32). */
  outOfOrderCapMax?: number;
  externalLabels: Labels;
  tenantHeader: string;
  defaultTenant: string;
  tenantLabelName: string;
  splitTenantLabelName: string;
  replicaHeader: string;
  limits: WriteLimits;
  logger: Logger;
  registry?: Registry;
  /** Where completed blocks are shipped (the shipper is off without one). */
  bucket?: Bucket;
  /** Local blocks older than this are deleted once shipped (0: keep). */
  retentionMs?: number;
  /** How often heads are checked for compaction and blocks shipped; default 30 s. */
  maintenanceIntervalMs?: number;
  /** Persist and ship the whole head on shutdown, as Thanos does; default true. */
  flushOnShutdown?: boolean;
  /** Wall clock (ms) that tells how long a tenant has not written; default `Date.now`. */
  clock?: () => number;
  /** `--receive.hashrings-file`: watched and reloaded. */
  hashringsFile?: string;
  /** `--receive.hashrings`: inline JSON (used when no file is given). */
  hashrings?: string;
  /** `--receive.hashrings-file-refresh-interval` (default 5 minutes). */
  hashringsRefreshIntervalMs?: number;
  /** `--receive.hashrings-algorithm` for rings that do not name one (default hashmod). */
  hashringsAlgorithm?: HashringAlgorithm;
  /** `--receive.local-endpoint`: this receiver's gRPC address as the hashrings name it. */
  localEndpoint?: string;
  /** `--receive.replication-factor` (default 1). */
  replicationFactor?: number;
  /** `--receive-forward-timeout` (default 5 s). */
  forwardTimeoutMs?: number;
  /** `--receive-forward-max-backoff` (default 5 s). */
  forwardMaxBackoffMs?: number;
  /** `--receive.grpc-compression` of forwarded requests (default `none`; Thanos's default is `snappy`). */
  grpcCompression?: GrpcCompression;
  /** `--receive.spill.max-bytes`: bound of the on-disk spill of each peer (default 1 GiB). */
  spillMaxBytes?: number;
}

/** Thanos receive's defaults for everything but addresses, paths, labels and the logger. */
export const RECEIVER_DEFAULTS = {
  blockDurationMs: 2 * 3600_000,
  walCompression: true,
  walFsync: false,
  tooFarInFutureMs: 0,
  tenantHeader: 'THANOS-TENANT',
  defaultTenant: 'default-tenant',
  tenantLabelName: 'tenant_id',
  splitTenantLabelName: '',
  replicaHeader: 'THANOS-REPLICA',
  limits: noLimits,
} satisfies Partial<ReceiverConfig>;

/**
 * `thanos-ts receive`: remote_write in, routed over the hashring to the owners of each series
 * (spec 1.2 modes), one TSDB per tenant, data acknowledged once it is in the WAL file of
 * enough replicas.
 */
export class Receiver {
  readonly metrics: ReceiveMetrics;
  readonly routerMetrics: RouterMetrics;
  readonly mode: ReceiveMode;
  private router: WriteRouter | undefined;
  private hashring: MultiHashring | undefined;
  private hashringsWatcher: HashringsFileWatcher | undefined;
  readonly registry: Registry;
  readonly tsdbs: MultiTsdb;
  private remoteWriteServer: FastifyInstance | undefined;
  private httpServer: FastifyInstance | undefined;
  private grpcServer: StoreServer | undefined;
  private isReady = false;
  /** Metric metadata from remote_write, served over `thanos.Metadata`. */
  readonly metadata = new MetricMetadataStore();
  private readonly splitLabel: Uint8Array | undefined;
  private readonly shippers = new Map<Tsdb, Shipper>();
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintenanceRun: Promise<void> | undefined;
  /** When each tenant last wrote (or the receiver started): a tenant idle long enough has its head flushed. */
  private readonly lastWriteAt = new Map<string, number>();
  private readonly clock: () => number;
  private readonly startedAt: number;
  remoteWritePort = 0;
  httpPort = 0;
  grpcPort = 0;

  constructor(readonly config: ReceiverConfig) {
    this.clock = config.clock ?? Date.now;
    this.startedAt = this.clock();
    this.registry = config.registry ?? new Registry();
    this.metrics = new ReceiveMetrics(this.registry);
    this.routerMetrics = new RouterMetrics(this.registry);
    this.mode = determineReceiveMode({
      hashringsFile: config.hashringsFile,
      hashrings: config.hashrings,
      localEndpoint: config.localEndpoint,
    });
    this.tsdbs = new MultiTsdb(
      config.tsdbPath,
      {
        blockDuration: config.blockDurationMs,
        walCompression: config.walCompression,
        outOfOrderTimeWindow: config.outOfOrderTimeWindowMs ?? 0,
        outOfOrderCapMax: config.outOfOrderCapMax ?? 0,
      },
      config.logger,
    );
    this.splitLabel = config.splitTenantLabelName ? new TextEncoder().encode(config.splitTenantLabelName) : undefined;
  }

  /**
   * Loads the hashrings (rejecting with a `HashringConfigError` naming the problem when they
   * are unusable), opens the default tenant (replaying its WAL) and starts listening; ready
   * when this resolves.
   */
  async start(): Promise<void> {
    const log = this.config.logger;
    const hasher = await createSeriesHasher();
    const router = (this.router = this.createRouter(hasher));
    await this.loadHashrings(hasher);
    log.info('receive mode', { mode: this.mode, replication_factor: this.config.replicationFactor ?? 1 });
    this.httpServer = createHttpServer({ logger: log, registry: this.registry, probes: { ready: () => this.isReady } });
    this.httpPort = await listen(this.httpServer, this.config.httpAddress);
    log.info('HTTP server listening', { address: this.config.httpAddress, port: this.httpPort });

    if (this.mode !== 'RouterOnly') {
      await this.tsdbs.tenant(this.config.defaultTenant);
      await this.tsdbs.openExisting(new Set([basename(spillRootOf(this.config.tsdbPath))]));
    }
    router.resumeSpills();
    this.grpcServer = createStoreServer({
      ...createSourceStore({
        componentType: 'receive',
        sources: () => this.tsdbs.tenants().map(([t, db]) => new TenantStoreSource(db, this.tenantLabels(t))),
      }),
      metadata: this.metadata,
    });
    serveRawRemoteWrite(this.grpcServer, (req) => this.writeForwarded(req));
    await this.grpcServer.listen(this.config.grpcAddress);
    this.grpcPort = this.grpcServer.port;
    log.info('gRPC StoreAPI listening', { address: this.config.grpcAddress, port: this.grpcPort });
    const rw = createHttpServer({ logger: log, registry: this.registry, probes: { ready: () => this.isReady } });
    remoteWriteApi(rw, {
      tenancy: { tenantHeader: this.config.tenantHeader, defaultTenant: this.config.defaultTenant },
      replicaHeader: this.config.replicaHeader,
      limits: this.config.limits,
      metrics: this.metrics,
      logger: log,
      backend: {
        ready: () => this.isReady,
        headSeries: (tenant) => this.headSeries(tenant),
        write: (tenant, view, replica) => this.route(tenant, view, replica),
        metadata: (view) => this.metadata.record(decodeWriteRequestMetadata(view.buffer)),
      },
    });
    this.remoteWriteServer = rw;
    this.remoteWritePort = await listen(rw, this.config.remoteWriteAddress);
    this.isReady = true;
    const interval = this.config.maintenanceIntervalMs ?? 30_000;
    this.maintenanceTimer = setInterval(() => void this.maintain(), interval);
    log.info('remote-write endpoint ready', {
      url: `http://${this.config.remoteWriteAddress.replace(/^0\.0\.0\.0:|^:/, 'localhost:').replace(/:\d+$/, `:${this.remoteWritePort}`)}/api/v1/receive`,
    });
  }

  ready(): boolean {
    return this.isReady;
  }

  /**
   * External labels of a tenant (spec 1.8): those of the hashring listing it, overridden by the
   * --label flags, plus the tenant label.
   */
  tenantLabels(tenant: string): Label[] {
    const map = new Map((this.hashring?.externalLabelsFor(tenant) ?? []).map((l) => [l.name, l.value]));
    for (const l of this.config.externalLabels) map.set(l.name, l.value);
    map.set(this.config.tenantLabelName, tenant);
    return [...map]
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private headSeries(tenant: string): number {
    const db = this.tsdbs.tenant(tenant);
    return db instanceof Promise ? 0 : db.head.numSeries;
  }

  /** Whether every write spilled for a peer has been delivered to it. */
  get spillsDrained(): boolean {
    return this.router?.spillsDrained ?? true;
  }

  private createRouter(hasher: SeriesHasher): WriteRouter {
    const c = this.config;
    return new WriteRouter({
      mode: this.mode,
      localEndpoint: c.localEndpoint ?? '',
      replicationFactor: c.replicationFactor ?? 1,
      forwardTimeoutMs: c.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS,
      maxBackoffMs: c.forwardMaxBackoffMs ?? DEFAULT_FORWARD_MAX_BACKOFF_MS,
      grpcCompression: c.grpcCompression ?? 'none',
      spillRoot: spillRootOf(c.tsdbPath),
      spillMaxBytes: c.spillMaxBytes ?? DEFAULT_SPILL_MAX_BYTES,
      splitTenantLabel: this.splitLabel,
      defaultTenant: c.defaultTenant,
      hasher,
      local: {
        ready: () => this.isReady,
        write: (view, byTenant, skipLabel) => this.writeTenants(view, byTenant, skipLabel),
      },
      logger: c.logger,
      metrics: this.routerMetrics,
    });
  }

  /** The hashrings of the flags; a file is watched, and a bad change keeps the last good rings. */
  private async loadHashrings(hasher: SeriesHasher): Promise<void> {
    const c = this.config;
    const log = c.logger;
    const build = { replicationFactor: c.replicationFactor ?? 1, defaultAlgorithm: c.hashringsAlgorithm };
    if (c.hashringsFile) {
      this.hashringsWatcher = await HashringsFileWatcher.start({
        ...build,
        path: c.hashringsFile,
        hasher,
        refreshIntervalMs: c.hashringsRefreshIntervalMs,
        onChange: (u) => this.useHashring(u.hashring, u.configs, u.version),
        onError: (err) =>
          log.error('hashrings file change not applied; keeping the previous configuration', { err: err.message }),
        onWarning: (message) => log.warn(message),
      });
    } else if (c.hashrings) {
      const loaded = loadHashrings(c.hashrings, '--receive.hashrings', build, hasher);
      for (const w of loaded.warnings) log.warn(w);
      this.useHashring(loaded.hashring, loaded.configs, 1);
    } else {
      this.useHashring(MultiHashring.singleNode(c.localEndpoint ?? ''), [], 1);
    }
  }

  private useHashring(hashring: MultiHashring, configs: readonly HashringConfig[], version: number): void {
    const m = this.routerMetrics;
    this.hashring = hashring;
    this.router?.setHashring(hashring);
    m.hashringVersion.set(version);
    if (version > 1) m.hashringsFileChanges.inc();
    m.hashringNodes.reset();
    for (const c of configs) m.hashringNodes.set({ name: c.name }, c.endpoints.length);
    const local = this.config.localEndpoint;
    if (this.mode === 'RouterIngestor' && local && !hashring.hasEndpoint(local)) {
      this.config.logger.warn('the local endpoint is in no hashring: this receiver stores nothing itself', {
        local_endpoint: local,
      });
    }
    this.config.logger.info('hashring configuration in use', { version, endpoints: hashring.endpoints.length });
  }

  /** The remote-write backend: routes the request and turns a failed quorum into its status. */
  private async route(tenant: string, view: WriteRequestView, replica: number): Promise<WriteReport> {
    const outcome = await this.router!.write(tenant, view, replica);
    if (outcome.failure) throw new HttpError(httpStatusOf(outcome.failure), outcome.failure.message);
    return outcome.report ?? new WriteReport();
  }

  /** `thanos.WriteableStore/RemoteWrite`: failure causes become gRPC codes (spec 1.6). */
  private async writeForwarded(req: ForwardedRequest): Promise<void> {
    const outcome = await this.router!.writeForwarded(req);
    if (outcome.failure) throw grpcError(outcome.failure);
    const report = outcome.report;
    if (report?.failed) {
      throw grpcError(
        report.status === 409
          ? { kind: 'conflict', message: report.message() }
          : { kind: 'other', status: report.status, message: report.message() },
      );
    }
  }

  /** Writes every series of `view` to its tenant's TSDB (after the split-tenant label). */
  async writeLocal(requestTenant: string, view: WriteRequestView): Promise<WriteReport> {
    let assignment;
    try {
      assignment = assignTenants(view, requestTenant, this.splitLabel, isValidTenant);
    } catch (err) {
      if (err instanceof InvalidSplitTenantError) throw new HttpError(400, err.message);
      throw err;
    }
    return this.writeTenants(view, assignment.byTenant, assignment.skipLabel);
  }

  /** Writes the given series of `view` to their tenants' TSDBs, one commit per tenant. */
  private async writeTenants(
    view: WriteRequestView,
    byTenant: ReadonlyMap<string, number[]>,
    skipLabel: Int32Array | undefined,
  ): Promise<WriteReport> {
    const total = new WriteReport();
    const maxValidTime = this.config.tooFarInFutureMs > 0 ? Date.now() + this.config.tooFarInFutureMs : Infinity;
    for (const [tenant, series] of byTenant) {
      const db = await this.tsdbs.tenant(tenant);
      this.lastWriteAt.set(tenant, this.clock());
      const started = process.hrtime.bigint();
      const oooBefore = db.head.oooSamplesAppended;
      const report = ingestSeries(db, view, series, skipLabel, {
        maxValidTime,
        headSeriesLimit: limitsFor(this.config.limits, tenant).headSeriesLimit,
      });
      this.metrics.walWriteDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (this.config.walFsync) {
        const t0 = process.hrtime.bigint();
        await Promise.all([db.wal.fsync(), db.wbl?.fsync()]);
        this.metrics.walFsyncDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      let samples = 0;
      for (const s of series) samples += view.seriesSampleStart[s + 1] - view.seriesSampleStart[s];
      const code = String(report.status);
      this.metrics.writeTimeseries.inc({ code, tenant }, series.length);
      this.metrics.writeSamples.inc({ code, tenant }, samples);
      this.metrics.samplesAppended.inc({ tenant }, report.samplesWritten);
      this.metrics.oooSamplesAppended.inc({ tenant }, db.head.oooSamplesAppended - oooBefore);
      this.metrics.headSeries.set({ tenant }, db.head.numSeries);
      total.merge(report);
    }
    return total;
  }

  /** The Thanos section of this tenant's blocks: external labels and source. */
  private thanosMeta(tenant: string): ThanosMeta {
    return {
      labels: Object.fromEntries(this.tenantLabels(tenant).map((l) => [l.name, l.value])),
      downsample: { resolution: 0 },
      source: 'receive',
    };
  }

  private shipper(db: Tsdb, tenant: string): Shipper | undefined {
    const bucket = this.config.bucket;
    if (!bucket) return undefined;
    let s = this.shippers.get(db);
    if (!s) {
      s = new Shipper(db, bucket, this.config.logger.with({ tenant }), {
        uploads: (n) => this.metrics.shipperUploads.inc({ tenant }, n),
        failures: (n) => this.metrics.shipperFailures.inc({ tenant }, n),
      });
      this.shippers.set(db, s);
    }
    return s;
  }

  /**
   * One maintenance pass over every tenant: compact heads that span more than 1.5 block
   * durations, flush whole heads that received nothing for that long (so the last hours of a
   * tenant that stopped writing reach the bucket, as Thanos's tenant pruning does), ship new
   * blocks, apply local retention (never to unshipped blocks), and delete the TSDB of a tenant
   * that has had neither samples nor writes within the retention. Concurrent calls share one pass.
   */
  maintain(): Promise<void> {
    this.maintenanceRun ??= this.maintainOnce().finally(() => (this.maintenanceRun = undefined));
    return this.maintenanceRun;
  }

  private async maintainOnce(flushAll = false): Promise<void> {
    for (const [tenant, db] of this.tsdbs.tenants()) {
      const log = this.config.logger.with({ tenant });
      try {
        const idle = !flushAll && this.headIdle(tenant, db);
        if (idle) log.info('flushing the head of a tenant that stopped writing', { newest_sample: db.head.maxTime });
        if (flushAll || idle) {
          const metas = await db.flushHead(this.thanosMeta(tenant));
          this.metrics.compactions.inc({ tenant }, metas.length);
        }
        while (db.compactable()) {
          await db.compactOldestHeadBlock(this.thanosMeta(tenant));
          this.metrics.compactions.inc({ tenant });
        }
        const shipper = this.shipper(db, tenant);
        await shipper?.sync();
        const shipped = shipper?.shipped();
        const removed = db.applyRetention(this.config.retentionMs ?? 0, Date.now(), (m) =>
          shipped ? !shipped.has(m.ulid) : false,
        );
        if (removed.length > 0) log.info('deleted blocks past retention', { blocks: removed.join(',') });
        if (!flushAll && this.outlivedRetention(tenant, db, shipped)) {
          log.info('deleting the TSDB of a tenant with no samples and no writes within the retention', {
            retention: `${this.config.retentionMs}ms`,
          });
          this.shippers.delete(db);
          this.lastWriteAt.delete(tenant);
          await this.tsdbs.prune(tenant);
          this.metrics.headSeries.remove({ tenant });
          continue;
        }
        this.metrics.headSeries.set({ tenant }, db.head.numSeries);
      } catch (err) {
        log.error('TSDB maintenance failed; will retry', { err });
      }
    }
  }

  /**
   * Whether a tenant can go, as Thanos prunes tenants: retention is set, the tenant wrote
   * nothing within it, its head holds no samples, and every block it still has ended before
   * the retention and was shipped (when there is a bucket).
   */
  private outlivedRetention(tenant: string, db: Tsdb, shipped: ReadonlySet<string> | undefined): boolean {
    const retention = this.config.retentionMs ?? 0;
    if (retention <= 0 || Number.isFinite(db.head.minTime)) return false;
    if (this.sinceLastWrite(tenant) <= retention) return false;
    const blocks = db.blocks();
    if (blocks.some((m) => m.maxTime >= Date.now() - retention)) return false;
    return shipped === undefined || blocks.every((m) => shipped.has(m.ulid));
  }

  /**
   * Whether a tenant's head holds samples but the tenant has written nothing for 1.5 block
   * durations of wall time (sample times would also flag a sender catching up on old data).
   */
  private headIdle(tenant: string, db: Tsdb): boolean {
    return Number.isFinite(db.head.minTime) && this.sinceLastWrite(tenant) > db.blockDuration * 1.5;
  }

  /** Wall time since the tenant last wrote, or since the receiver started. */
  private sinceLastWrite(tenant: string): number {
    return this.clock() - (this.lastWriteAt.get(tenant) ?? this.startedAt);
  }

  /** Stops accepting writes, lets in-flight requests finish, flushes and ships, then closes every TSDB. */
  async stop(): Promise<void> {
    this.isReady = false;
    clearInterval(this.maintenanceTimer);
    this.hashringsWatcher?.close();
    await this.remoteWriteServer?.close();
    await this.router?.close();
    await this.maintenanceRun;
    if (this.config.flushOnShutdown ?? true) await this.maintainOnce(true);
    await this.grpcServer?.stop(5000);
    await this.tsdbs.close();
    await this.httpServer?.close();
  }
}

function grpcError(failure: ReplicaFailure): StoreApiError {
  switch (failure.kind) {
    case 'notReady':
    case 'unavailable':
      return new StoreApiError(GrpcStatus.UNAVAILABLE, failure.message);
    case 'conflict':
      return new StoreApiError(GrpcStatus.ALREADY_EXISTS, failure.message);
    default:
      return new StoreApiError(
        failure.status === 400 ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL,
        failure.message,
      );
  }
}
