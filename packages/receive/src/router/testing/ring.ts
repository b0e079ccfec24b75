// Helpers of the ring tests: receivers of one hashrings file on loopback ports, a small
// remote-write load generator that remembers what was acknowledged, and a StoreAPI reader.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { createLogger } from '@thanos-ts/runtime';
import { LabelMatcherType, StoreClient } from '@thanos-ts/storepb';
import { freePort } from '@thanos-ts/testkit';
import { chunkIterator } from '@thanos-ts/tsdb';
import { Receiver, type ReceiverConfig } from '../../receiver';
import { loopbackReceiverConfig } from '../../testing/loopback';

export interface RingMember {
  name: string;
  grpcPort: number;
  dataDir: string;
  receiver: Receiver;
}

export function ringConfig(dataDir: string, grpcPort: number, overrides: Partial<ReceiverConfig>): ReceiverConfig {
  return loopbackReceiverConfig(dataDir, {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    localEndpoint: `127.0.0.1:${grpcPort}`,
    externalLabels: [{ name: 'receive_replica', value: String(grpcPort) }],
    logger: createLogger({ level: 'error' }),
    maintenanceIntervalMs: 3600_000,
    flushOnShutdown: false,
    forwardMaxBackoffMs: 200,
    hashringsRefreshIntervalMs: 200,
    ...overrides,
  });
}

export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Writes a hashrings file with one default ring of these gRPC ports. */
export function writeHashrings(path: string, ports: readonly number[], extra: object = {}): void {
  writeFileSync(path, JSON.stringify([{ endpoints: ports.map((p) => `127.0.0.1:${p}`), ...extra }]));
}

export function memberDir(root: string, port: number): string {
  return join(root, `r${port}`);
}

/**
 * Remote-writes to `url` from `workers` senders, each sending its own series in timestamp
 * order (so every series' samples arrive in order), one sample per series per request.
 */
export class LoadGenerator {
  readonly acked: Array<{ worker: number; t: number }> = [];
  readonly failures: string[] = [];
  private running = true;
  private readonly done: Promise<void[]>;
  private urlIndex = 0;

  constructor(
    private readonly urls: () => string[],
    readonly workers = 3,
    readonly seriesPerWorker = 20,
    readonly baseTime = Date.now(),
  ) {
    this.done = Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w)));
  }

  /** Series label values of one worker. */
  seriesOf(worker: number): string[] {
    return Array.from({ length: this.seriesPerWorker }, (_, s) => `w${worker}s${s}`);
  }

  /** Every acknowledged `series@t`. */
  ackedSamples(): string[] {
    return this.acked.flatMap(({ worker, t }) => this.seriesOf(worker).map((s) => `${s}@${t}`));
  }

  async waitForAcks(n: number): Promise<void> {
    const target = this.acked.length + n;
    while (this.acked.length < target) {
      if (this.failures.length > 0) throw new Error(`write failed: ${this.failures[0]}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async worker(w: number): Promise<void> {
    const names = this.seriesOf(w);
    for (let i = 0; this.running; i++) {
      const t = this.baseTime + i;
      const timeseries = names.map((s) => ({
        labels: [
          { name: '__name__', value: 'ring_test' },
          { name: 'series', value: s },
        ],
        timestamps: [t],
        values: Float64Array.of(i),
      }));
      const urls = this.urls();
      const url = urls[this.urlIndex++ % urls.length];
      const body = compressSnappyBlock(encodeWriteRequest({ timeseries }));
      try {
        const res = await fetch(url, { method: 'POST', body });
        if (res.status === 200) this.acked.push({ worker: w, t });
        else this.failures.push(`${res.status} ${await res.text()}`);
      } catch (err) {
        this.failures.push(String(err));
      }
      await new Promise((r) => setImmediate(r));
    }
  }
}

/** Every `series@t` of `ring_test` a receiver's StoreAPI serves, per tenant label value. */
export async function storeSamples(grpcPort: number, metric = 'ring_test'): Promise<Map<string, Set<string>>> {
  const client = new StoreClient(`127.0.0.1:${grpcPort}`);
  const byTenant = new Map<string, Set<string>>();
  try {
    const req = {
      minTime: 0,
      maxTime: Number.MAX_SAFE_INTEGER,
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: metric }],
    };
    for await (const r of client.series(req)) {
      if (r.type !== 'series') continue;
      const labels = new Map(r.series.labels.map((l) => [l.name, l.value]));
      const tenant = labels.get('tenant_id') ?? '';
      let set = byTenant.get(tenant);
      if (!set) byTenant.set(tenant, (set = new Set()));
      const key = [...labels]
        .filter(([n]) => n !== 'tenant_id' && n !== 'receive_replica' && n !== '__name__')
        .map(([n, v]) => (n === 'series' ? v : `${n}=${v}`))
        .join(',');
      for (const c of r.series.chunks) {
        const it = chunkIterator({ encoding: 1, data: c.raw!.data });
        while (it.next()) set.add(`${key}@${it.t}`);
      }
    }
  } finally {
    client.close();
  }
  return byTenant;
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
