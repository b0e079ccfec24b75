import type { FastifyInstance } from 'fastify';
import type { Bucket } from '@thanos-ts/objstore';
import { Registry } from 'prom-client';
import type { WriteRequestView } from '@thanos-ts/remote-write';
import { createSourceStore, createStoreServer, type StoreServer } from '@thanos-ts/storepb';
import { createHttpServer, listen, type Logger } from '@thanos-ts/runtime';
import type { Label, Labels, ThanosMeta, Tsdb } from '@thanos-ts/tsdb';
import { assignTenants, ingestSeries, InvalidSplitTenantError } from './ingest';
import type { WriteLimits } from './limits';
import { limitsFor } from './limits';
import { ReceiveMetrics } from './metrics';
import { MultiTsdb } from './multitsdb';
import { HttpError, remoteWriteApi } from './remote-write-api';
import { isValidTenant } from './tenancy';
import { Shipper } from './shipper';
import { TenantStoreSource } from './tenant-store';
import { WriteReport } from './write-errors';

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
}

/**
 * `thanos-ts receive` in ingestor mode: remote_write in, one TSDB per tenant, data
 * acknowledged once it is in the WAL file.
 */
export class Receiver {
  readonly metrics: ReceiveMetrics;
  readonly registry: Registry;
  readonly tsdbs: MultiTsdb;
  private remoteWriteServer: FastifyInstance | undefined;
  private httpServer: FastifyInstance | undefined;
  private grpcServer: StoreServer | undefined;
  private isReady = false;
  private readonly splitLabel: Uint8Array | undefined;
  private readonly shippers = new Map<Tsdb, Shipper>();
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintenanceRun: Promise<void> | undefined;
  remoteWritePort = 0;
  httpPort = 0;
  grpcPort = 0;

  constructor(readonly config: ReceiverConfig) {
    this.registry = config.registry ?? new Registry();
    this.metrics = new ReceiveMetrics(this.registry);
    this.tsdbs = new MultiTsdb(
      config.tsdbPath,
      { blockDuration: config.blockDurationMs, walCompression: config.walCompression },
      config.logger,
    );
    this.splitLabel = config.splitTenantLabelName ? new TextEncoder().encode(config.splitTenantLabelName) : undefined;
  }

  /** Opens the default tenant (replaying its WAL) and starts listening; ready when this resolves. */
  async start(): Promise<void> {
    const log = this.config.logger;
    this.httpServer = createHttpServer({ logger: log, registry: this.registry, probes: { ready: () => this.isReady } });
    this.httpPort = await listen(this.httpServer, this.config.httpAddress);
    log.info('HTTP server listening', { address: this.config.httpAddress, port: this.httpPort });

    await this.tsdbs.tenant(this.config.defaultTenant);
    this.grpcServer = createStoreServer(
      createSourceStore({
        componentType: 'receive',
        sources: () => this.tsdbs.tenants().map(([t, db]) => new TenantStoreSource(db, this.tenantLabels(t))),
      }),
    );
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
        write: (tenant, view) => this.writeLocal(tenant, view),
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

  /** External labels of a tenant: the --label flags plus the tenant label (spec 1.8). */
  tenantLabels(tenant: string): Label[] {
    const map = new Map(this.config.externalLabels.map((l) => [l.name, l.value]));
    map.set(this.config.tenantLabelName, tenant);
    return [...map]
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private headSeries(tenant: string): number {
    const db = this.tsdbs.tenant(tenant);
    return db instanceof Promise ? 0 : db.head.numSeries;
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
    const total = new WriteReport();
    const maxValidTime = this.config.tooFarInFutureMs > 0 ? Date.now() + this.config.tooFarInFutureMs : Infinity;
    for (const [tenant, series] of assignment.byTenant) {
      const db = await this.tsdbs.tenant(tenant);
      const started = process.hrtime.bigint();
      const report = ingestSeries(db, view, series, assignment.skipLabel, {
        maxValidTime,
        headSeriesLimit: limitsFor(this.config.limits, tenant).headSeriesLimit,
      });
      this.metrics.walWriteDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (this.config.walFsync) {
        const t0 = process.hrtime.bigint();
        await db.wal.fsync();
        this.metrics.walFsyncDuration.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      let samples = 0;
      for (const s of series) samples += view.seriesSampleStart[s + 1] - view.seriesSampleStart[s];
      const code = String(report.status);
      this.metrics.writeTimeseries.inc({ code, tenant }, series.length);
      this.metrics.writeSamples.inc({ code, tenant }, samples);
      this.metrics.samplesAppended.inc({ tenant }, report.samplesWritten);
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
   * durations, ship new blocks, apply local retention (never to unshipped blocks).
   * Concurrent calls share one pass.
   */
  maintain(): Promise<void> {
    this.maintenanceRun ??= this.maintainOnce().finally(() => (this.maintenanceRun = undefined));
    return this.maintenanceRun;
  }

  private async maintainOnce(flushAll = false): Promise<void> {
    for (const [tenant, db] of this.tsdbs.tenants()) {
      const log = this.config.logger.with({ tenant });
      try {
        if (flushAll) {
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
        this.metrics.headSeries.set({ tenant }, db.head.numSeries);
      } catch (err) {
        log.error('TSDB maintenance failed; will retry', { err });
      }
    }
  }

  /** Stops accepting writes, lets in-flight requests finish, flushes and ships, then closes every TSDB. */
  async stop(): Promise<void> {
    this.isReady = false;
    clearInterval(this.maintenanceTimer);
    await this.remoteWriteServer?.close();
    await this.maintenanceRun;
    if (this.config.flushOnShutdown ?? true) await this.maintainOnce(true);
    await this.grpcServer?.stop(5000);
    await this.tsdbs.close();
    await this.httpServer?.close();
  }
}
