// Routing and replication of remote-write requests over the hashring (spec 1.6): every series
// goes to the owners of its replicas, the local one written directly, the others forwarded
// over gRPC; the request succeeds when every series reached its write quorum.
import { join } from 'node:path';
import type { WriteRequestView } from '@thanos-ts/remote-write';
import type { Logger } from '@thanos-ts/runtime';
import type { Endpoint, MultiHashring, ReceiveMode, SeriesHasher } from '../hashring/index';
import { endpointHasAddress } from '../hashring/index';
import { assignTenants, InvalidSplitTenantError, type TenantAssignment } from '../ingest';
import { isValidTenant } from '../tenancy';
import type { WriteReport } from '../write-errors';
import { ForwardBuffers } from './forward-buffers';
import { encodeForwardRequest } from './forward-request';
import type { ForwardedRequest } from './forwarded-request';
import type { GrpcCompression } from './grpc-unary';
import type { RouterMetrics } from './metrics';
import { Peer, spillDirName } from './peer';
import { BadReplicaError, replicationPlan, ReplicationTally, type ReplicaFailure } from './quorum';
import { readdirSync } from 'node:fs';

/** The receiver's own TSDBs, as the router uses them. */
export interface LocalWriter {
  /** False while the TSDBs are opening or flushing (writes then fail as not ready). */
  ready(): boolean;
  /** Writes the given series of `view`, grouped by tenant; resolves once acknowledged locally. */
  write(
    view: WriteRequestView,
    byTenant: ReadonlyMap<string, number[]>,
    skipLabel: Int32Array | undefined,
  ): Promise<WriteReport>;
}

export interface WriteRouterOptions {
  mode: ReceiveMode;
  /** `--receive.local-endpoint`: series owned by this address are written locally. */
  localEndpoint: string;
  replicationFactor: number;
  /** `--receive-forward-timeout`: the longest a request waits for its replicas. */
  forwardTimeoutMs: number;
  /** `--receive-forward-max-backoff`. */
  maxBackoffMs: number;
  /** `--receive.grpc-compression` of forwarded requests. */
  grpcCompression: GrpcCompression;
  /** `<tsdb.path>/.spill`. */
  spillRoot: string;
  /** `--receive.spill.max-bytes`, per peer. */
  spillMaxBytes: number;
  /** `--receive.split-tenant-label-name` as UTF-8 bytes, when set. */
  splitTenantLabel: Uint8Array | undefined;
  defaultTenant: string;
  hasher: SeriesHasher;
  local: LocalWriter;
  logger: Logger;
  metrics: RouterMetrics;
}

/** What became of a write: the local report when only the local TSDB was involved, else the verdict. */
export interface RouteOutcome {
  /** Set when the request was stored locally only; its status/message are the answer. */
  report?: WriteReport;
  /** Set when the request failed. */
  failure?: ReplicaFailure;
}

/** The series of one request going to one (endpoint, replica). */
interface Batch {
  endpoint: Endpoint;
  replica: number;
  local: boolean;
  byTenant: Map<string, number[]>;
  /** Every series of the batch, across tenants. */
  series: number[];
  /** While planning: the list in `byTenant` of the tenant being planned. */
  tenantList: number[] | undefined;
}

const NOT_READY: ReplicaFailure = { kind: 'notReady', message: 'target not ready' };

export class WriteRouter {
  private hashring: MultiHashring | undefined;
  private readonly peers = new Map<string, Peer>();
  private readonly forwardBuffers = new ForwardBuffers();
  private readonly logger: Logger;

  constructor(private readonly options: WriteRouterOptions) {
    this.logger = options.logger;
  }

  /** Resumes delivering the spills an earlier run left behind. */
  resumeSpills(): void {
    let names: string[];
    try {
      names = readdirSync(this.options.spillRoot);
    } catch {
      return;
    }
    for (const name of names) {
      const address = decodeURIComponent(name);
      if (spillDirName(address) !== name) continue;
      this.peer(address).resumeSpill();
    }
  }

  /** Takes a (new) hashring into use; peers' backoff starts afresh, as in Thanos. */
  setHashring(hashring: MultiHashring): void {
    this.hashring = hashring;
    for (const peer of this.peers.values()) peer.resetBackoff();
  }

  get ready(): boolean {
    return this.hashring !== undefined;
  }

  /** Whether every peer has received everything spilled for it. */
  get spillsDrained(): boolean {
    return [...this.peers.values()].every((p) => p.caughtUp);
  }

  /**
   * Routes one remote-write request. `replica` is the replica header (1-based, 0: none);
   * `splitTenants` is false for forwarded requests, whose tenants are final.
   */
  async write(tenant: string, view: WriteRequestView, replica: number, splitTenants = true): Promise<RouteOutcome> {
    const { mode, replicationFactor } = this.options;
    let plan;
    try {
      plan = replicationPlan(mode === 'RouterIngestor' ? replica : 0, replicationFactor);
    } catch (err) {
      if (err instanceof BadReplicaError) return { failure: { kind: 'other', status: 400, message: err.message } };
      throw err;
    }
    let assignment: TenantAssignment;
    try {
      assignment = assignTenants(view, tenant, splitTenants ? this.options.splitTenantLabel : undefined, isValidTenant);
    } catch (err) {
      if (err instanceof InvalidSplitTenantError)
        return { failure: { kind: 'other', status: 400, message: err.message } };
      throw err;
    }
    if (mode === 'IngestorOnly') {
      // One node owns everything: no series needs hashing (a fifth of the ingest CPU).
      if (!this.options.local.ready()) return { failure: NOT_READY };
      return { report: await this.options.local.write(view, assignment.byTenant, assignment.skipLabel) };
    }
    let batches: Batch[];
    try {
      batches = this.plan(view, assignment, plan.replicas);
    } catch (err) {
      return { failure: { kind: 'other', status: 500, message: (err as Error).message } };
    }
    if (batches.length === 1 && batches[0].local) {
      if (!this.options.local.ready()) return { failure: NOT_READY };
      return { report: await this.options.local.write(view, batches[0].byTenant, assignment.skipLabel) };
    }
    const failure = await this.replicate(
      view,
      assignment.skipLabel,
      batches,
      new ReplicationTally(view.seriesCount, plan),
    );
    if (plan.replicas.length > 1) this.options.metrics.replications.inc({ result: failure ? 'error' : 'success' });
    return failure ? { failure } : {};
  }

  /**
   * `thanos.WriteableStore/RemoteWrite`: a request forwarded by a peer router (ours or
   * Thanos's). A replica already chosen by the sender (replica > 0) is stored here without
   * hashing again: Thanos re-routes it, which costs a second hash of every series and, while
   * members disagree on the ring, can bounce a write between them or count one copy twice.
   * An ingestor-only receiver stores everything it is sent.
   */
  async writeForwarded(req: ForwardedRequest): Promise<RouteOutcome> {
    let report: WriteReport | undefined;
    for (const { tenant: sent, view } of req.tenants) {
      if (view.seriesCount === 0) continue;
      const tenant = sent === '' ? this.options.defaultTenant : sent;
      if (!isValidTenant(tenant)) {
        return { failure: { kind: 'other', status: 400, message: `tenant name not valid: ${JSON.stringify(tenant)}` } };
      }
      let outcome: RouteOutcome;
      const mode = this.options.mode;
      const replicated = req.replica > 0 && req.replica <= this.options.replicationFactor;
      if (mode === 'IngestorOnly' || (mode === 'RouterIngestor' && replicated)) {
        if (!this.options.local.ready()) return { failure: NOT_READY };
        const all = Array.from({ length: view.seriesCount }, (_, s) => s);
        outcome = { report: await this.options.local.write(view, new Map([[tenant, all]]), undefined) };
      } else {
        outcome = await this.write(tenant, view, req.replica, false);
      }
      if (outcome.failure) return outcome;
      if (outcome.report) {
        if (report === undefined) report = outcome.report;
        else report.merge(outcome.report);
      }
    }
    return { report };
  }

  /** Stops replaying spills and closes peer connections (spills stay on disk for the next run). */
  async close(): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => p.close()));
    this.peers.clear();
  }

  private peer(address: string): Peer {
    let peer = this.peers.get(address);
    if (!peer) {
      const o = this.options;
      peer = new Peer({
        address,
        spillRoot: o.spillRoot,
        spillMaxBytes: o.spillMaxBytes,
        forwardTimeoutMs: o.forwardTimeoutMs,
        maxBackoffMs: o.maxBackoffMs,
        compression: o.grpcCompression,
        logger: o.logger,
        metrics: o.metrics,
      });
      this.peers.set(address, peer);
    }
    return peer;
  }

  /** Groups the series per (owner, replica); hashing each series once for all its replicas. */
  private plan(view: WriteRequestView, assignment: TenantAssignment, replicas: readonly number[]): Batch[] {
    const hashring = this.hashring;
    if (hashring === undefined) throw new Error('hashring not ready');
    const { localEndpoint, mode } = this.options;
    // a ring has few endpoints: a scan of each replica's batches beats a Map lookup per series
    const byReplica: Batch[][] = replicas.map(() => []);
    const batches: Batch[] = [];
    for (const [tenant, series] of assignment.byTenant) {
      const ring = hashring.ringFor(tenant);
      for (const batch of batches) batch.tenantList = undefined;
      for (const s of series) {
        const hash = this.hashSeries(view, s, tenant, assignment.skipLabel[s]);
        for (let r = 0; r < replicas.length; r++) {
          const endpoint = ring.getNForHash(hash, replicas[r]);
          const candidates = byReplica[r];
          let batch: Batch | undefined;
          for (let b = 0; b < candidates.length; b++) {
            if (candidates[b].endpoint === endpoint) {
              batch = candidates[b];
              break;
            }
          }
          if (batch === undefined) {
            const local = mode !== 'RouterOnly' && endpointHasAddress(endpoint, localEndpoint);
            batch = { endpoint, replica: replicas[r], local, byTenant: new Map(), series: [], tenantList: undefined };
            candidates.push(batch);
            batches.push(batch);
          }
          let list = batch.tenantList;
          if (list === undefined) {
            list = [];
            batch.tenantList = list;
            batch.byTenant.set(tenant, list);
          }
          list.push(s);
        }
      }
    }
    for (const batch of batches) {
      batch.tenantList = undefined;
      // one tenant (the usual case): its list is the batch's series
      batch.series =
        batch.byTenant.size === 1 ? batch.byTenant.values().next().value! : [...batch.byTenant.values()].flat();
    }
    return batches;
  }

  /** Thanos's series hash from the request bytes, with the final tenant and without the split label. */
  private hashSeries(view: WriteRequestView, s: number, tenant: string, skip: number): bigint {
    const start = view.seriesLabelStart;
    return this.options.hasher.hashLabelRanges(
      tenant,
      view.buffer,
      view.dataView,
      view.labelRefs,
      start[s],
      start[s + 1],
      skip,
    );
  }

  /**
   * Sends every batch and resolves with the verdict as soon as it is known (or the forward
   * timeout passes); forwards still running go on in the background until their own timeout.
   */
  private replicate(
    view: WriteRequestView,
    skipLabel: Int32Array,
    batches: readonly Batch[],
    tally: ReplicationTally,
  ): Promise<ReplicaFailure | undefined> {
    return new Promise((resolve) => {
      let pending = batches.length;
      let done = false;
      const finish = (timedOut: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (timedOut && !tally.decided)
          resolve({ kind: 'other', status: 500, message: 'forwarding request: context deadline exceeded' });
        else resolve(tally.requestFailure());
      };
      const timer = setTimeout(() => finish(true), this.options.forwardTimeoutMs);
      for (const batch of batches) {
        void this.send(view, skipLabel, batch).then((failure) => {
          if (failure && batch.local) this.logger.debug('local replica write failed', { err: failure.message });
          tally.record(batch.series, failure);
          pending--;
          if (tally.decided || pending === 0) finish(false);
        });
      }
    });
  }

  private async send(view: WriteRequestView, skipLabel: Int32Array, batch: Batch): Promise<ReplicaFailure | undefined> {
    try {
      if (batch.local) {
        if (!this.options.local.ready()) return NOT_READY;
        const report = await this.options.local.write(view, batch.byTenant, skipLabel);
        if (!report.failed) return undefined;
        const status = report.status;
        return status === 409
          ? { kind: 'conflict', message: report.message() }
          : { kind: 'other', status, message: report.message() };
      }
      const groups = [...batch.byTenant].map(([tenant, series]) => ({ tenant, series }));
      const buffers = this.forwardBuffers;
      const request = encodeForwardRequest(view, groups, skipLabel, batch.replica + 1, (n) => buffers.acquire(n));
      // reused once both the connection (`sent`) and the peer (spilling it on failure) are done with it
      let holders = 2;
      const release = () => {
        if (--holders === 0) buffers.release(request);
      };
      try {
        return await this.peer(batch.endpoint.address).forward(request, release);
      } finally {
        release();
      }
    } catch (err) {
      this.logger.error('replica write failed', { endpoint: batch.endpoint.address, err });
      return { kind: 'other', status: 500, message: (err as Error).message };
    }
  }
}

/** Where the spills live under a TSDB directory. */
export function spillRootOf(tsdbPath: string): string {
  return join(tsdbPath, '.spill');
}
