// One peer receiver as the router sees it: its gRPC client, its backoff while it is down,
// and its spill. While the spill holds anything, new writes for the peer are appended to it
// rather than sent, so that the peer receives every series' samples in the order the router
// saw them (a TSDB refuses a sample older than the newest of its series).
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@thanos-ts/runtime';
import type { GrpcCompression } from './grpc-unary';
import type { RouterMetrics } from './metrics';
import { PeerCallError, PeerClient } from './peer-client';
import type { ReplicaFailure } from './quorum';
import { PeerSpill } from './spill';

export const MIN_BACKOFF_MS = 100;
/** Spilled writes are replayed several at a time, up to this many bytes per request. */
const REPLAY_BATCH_BYTES = 1024 * 1024;

/** The replica field of a request we encoded (it comes first; absent means 0). */
function replicaOf(request: Uint8Array): number {
  if (request[0] !== 0x18) return 0;
  let value = 0;
  let mul = 1;
  for (let p = 1; p < request.length; p++) {
    value += (request[p] & 0x7f) * mul;
    if (request[p] < 0x80) break;
    mul *= 128;
  }
  return value;
}

export interface PeerOptions {
  address: string;
  /** The spill of every peer lives under this directory (`<tsdb.path>/.spill`). */
  spillRoot: string;
  spillMaxBytes: number;
  forwardTimeoutMs: number;
  maxBackoffMs: number;
  compression: GrpcCompression;
  logger: Logger;
  metrics: RouterMetrics;
}

/** The directory name of a peer's spill: its address, made safe for a file name and reversible. */
export function spillDirName(address: string): string {
  return encodeURIComponent(address);
}

export class Peer {
  readonly address: string;
  private readonly client: PeerClient;
  private readonly logger: Logger;
  private spill: PeerSpill | undefined;
  private backoffMs = 0;
  private retryAt = 0;
  /**
   * The peer was found unreachable: new writes queue behind the spill (so that its series
   * get their samples in order) until the replay has emptied it.
   */
  private down = false;
  private replaying: Promise<void> | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly options: PeerOptions) {
    this.address = options.address;
    this.logger = options.logger.with({ peer: options.address });
    this.client = new PeerClient(options.address, options.compression);
  }

  /** Opens the spill left by an earlier run and starts delivering it. */
  resumeSpill(): void {
    const spill = this.openSpill();
    if (!spill.empty) {
      this.down = true;
      this.logger.info('replaying writes spilled by an earlier run', { records: spill.records, bytes: spill.bytes });
      this.startReplay();
    }
  }

  /** Records still waiting for this peer. */
  get pending(): number {
    return this.spill?.records ?? 0;
  }

  /** Idle: nothing spilled and no replay running. */
  get caughtUp(): boolean {
    return this.pending === 0 && this.replaying === undefined;
  }

  /**
   * Delivers one encoded `thanos.WriteRequest`. Resolves to undefined when the peer stored it,
   * else to the failure to count against the quorum; when the peer is down or catching up
   * the write is kept in the spill (and still counts as a failure here). `sent` is called
   * once the connection reads `request` no more (see `UnaryClient.call`), or never.
   */
  async forward(request: Buffer, sent?: () => void): Promise<ReplicaFailure | undefined> {
    const { metrics } = this.options;
    if (this.down) {
      sent?.();
      this.keep(request);
      return {
        kind: 'unavailable',
        message: `peer ${this.address} is unavailable or catching up; write kept in its spill`,
      };
    }
    const started = process.hrtime.bigint();
    const err = await this.send(request, sent);
    metrics.forwardDuration.observe({ peer: this.address }, Number(process.hrtime.bigint() - started) / 1e9);
    if (err === undefined) {
      metrics.forwardRequests.inc({ peer: this.address, result: 'success' });
      this.backoffMs = 0;
      return undefined;
    }
    if (err.retryable) {
      // A timeout leaves the peer up (it may even have stored the write): only an
      // unreachable or not-ready peer makes later writes queue behind the spill.
      if (err.code === grpc.status.UNAVAILABLE) this.markDown(err);
      this.keep(request);
    } else {
      metrics.forwardRequests.inc({ peer: this.address, result: 'error' });
    }
    return err.toFailure();
  }

  /** One call to the peer; resolves to its failure (never rejects for a failed call). */
  private async send(request: Buffer, sent?: () => void): Promise<PeerCallError | undefined> {
    // Writes that queued while the peer went down go behind the spill, to keep their order.
    if (this.down) {
      sent?.();
      return new PeerCallError(this.address, grpc.status.UNAVAILABLE, 'peer is catching up with its spill');
    }
    try {
      await this.client.remoteWrite(request, this.options.forwardTimeoutMs, sent);
      return undefined;
    } catch (err) {
      if (err instanceof PeerCallError) return err;
      throw err;
    }
  }

  /** Forgets the backoff (hashring reload: the topology may have been repaired). */
  resetBackoff(): void {
    this.backoffMs = 0;
    this.retryAt = 0;
  }

  /** Stops replaying and closes the connection and spill file; the spill stays on disk. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.replaying;
    this.client.close();
    this.spill?.close();
  }

  private openSpill(): PeerSpill {
    if (this.spill === undefined) {
      const { metrics } = this.options;
      this.spill = PeerSpill.open(
        join(this.options.spillRoot, spillDirName(this.address)),
        this.options.spillMaxBytes,
        this.logger,
        { dropped: (n) => metrics.spillDropped.inc({ peer: this.address }, n) },
      );
      this.updateGauges();
    }
    return this.spill;
  }

  private keep(request: Buffer): void {
    this.openSpill().append(request);
    this.options.metrics.forwardRequests.inc({ peer: this.address, result: 'spilled' });
    this.updateGauges();
    this.startReplay();
  }

  private markDown(err: PeerCallError): void {
    this.down = true;
    if (this.backoffMs === 0)
      this.logger.warn('peer unavailable; spilling its writes until it is back', { err: err.details });
    this.backoffMs = Math.min(this.options.maxBackoffMs, this.backoffMs === 0 ? MIN_BACKOFF_MS : this.backoffMs * 2);
    this.retryAt = Date.now() + this.backoffMs * (0.9 + Math.random() * 0.2);
  }

  private updateGauges(): void {
    const { metrics } = this.options;
    metrics.spillBytes.set({ peer: this.address }, this.spill?.bytes ?? 0);
    metrics.spillRecords.set({ peer: this.address }, this.spill?.records ?? 0);
  }

  private startReplay(): void {
    this.replaying ??= this.replay().finally(() => (this.replaying = undefined));
  }

  /**
   * Sends the spilled writes oldest first, consecutive ones of the same replica merged into one
   * request (concatenated protobuf messages merge their repeated fields); a successful send is
   * the health check.
   */
  private async replay(): Promise<void> {
    const spill = this.spill!;
    const signal = this.closing.signal;
    const { metrics } = this.options;
    let delivered = 0;
    while (!signal.aborted && !spill.empty) {
      const wait = this.retryAt - Date.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          break;
        }
      }
      const batch = spill.peekBatch(REPLAY_BATCH_BYTES);
      if (batch.length === 0) break;
      const replica = replicaOf(batch[0].data);
      const end = batch.findIndex((r) => replicaOf(r.data) !== replica);
      const records = end < 0 ? batch : batch.slice(0, end);
      try {
        await this.client.remoteWrite(Buffer.concat(records.map((r) => r.data)), this.options.forwardTimeoutMs);
        metrics.spillReplayed.inc({ peer: this.address }, records.length);
        delivered += records.length;
        this.backoffMs = 0;
      } catch (err) {
        if (!(err instanceof PeerCallError)) throw err;
        if (err.retryable) {
          this.markDown(err);
          continue;
        }
        // The peer answered and refused (e.g. samples it already has): retrying cannot help.
        this.logger.warn('peer refused spilled writes; dropping them', { err: err.details, records: records.length });
        metrics.spillDropped.inc({ peer: this.address }, records.length);
      }
      for (const r of records) spill.advance(r);
      this.updateGauges();
    }
    if (spill.empty) this.down = false;
    if (delivered > 0 && spill.empty)
      this.logger.info('peer caught up with its spilled writes', { records: delivered });
  }
}
