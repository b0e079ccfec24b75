// End to end with real processes: our receiver killed with SIGKILL mid-ingest, and a real
// Prometheus 2.42 remote-writing to it.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { LabelMatcherType, StoreClient } from '@thanos-ts/storepb';
import { chunkIterator } from '@thanos-ts/tsdb';
import {
  freePort,
  promtool,
  startCli,
  startPrometheus,
  tempDir,
  waitForHttpOk,
  type RunningProcess,
} from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';

interface Ports {
  rw: number;
  http: number;
  grpc: number;
}

async function startReceiver(dataDir: string, ports?: Ports): Promise<{ proc: RunningProcess; ports: Ports }> {
  const p = ports ?? { rw: await freePort(), http: await freePort(), grpc: await freePort() };
  const proc = startCli([
    'receive',
    `--tsdb.path=${dataDir}`,
    `--remote-write.address=127.0.0.1:${p.rw}`,
    `--http-address=127.0.0.1:${p.http}`,
    `--grpc-address=127.0.0.1:${p.grpc}`,
    '--label=receive_replica="0"',
  ]);
  await waitForHttpOk(`http://127.0.0.1:${p.http}/-/ready`, proc);
  return { proc, ports: p };
}

/** Every (series, timestamp, value) the receiver's StoreAPI serves for `__name__=~name`. */
async function storeSamples(grpcPort: number, name: string): Promise<Map<string, number>> {
  const client = new StoreClient(`127.0.0.1:${grpcPort}`);
  const out = new Map<string, number>();
  try {
    const req = {
      minTime: 0,
      maxTime: Number.MAX_SAFE_INTEGER,
      matchers: [{ type: LabelMatcherType.RE, name: '__name__', value: name }],
    };
    for await (const r of client.series(req)) {
      if (r.type !== 'series') continue;
      const key = r.series.labels
        .filter((l) => l.name !== 'receive_replica' && l.name !== 'tenant_id')
        .map((l) => `${l.name}=${l.value}`)
        .join(',');
      for (const c of r.series.chunks) {
        const it = chunkIterator({ encoding: 1, data: c.raw!.data });
        while (it.next()) out.set(`${key}@${it.t}`, it.v);
      }
    }
  } finally {
    client.close();
  }
  return out;
}

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('receive process', () => {
  it('loses no acknowledged sample when killed with SIGKILL during ingest', async () => {
    const dir = tempDir('receive-kill-');
    cleanups.push(dir.cleanup);
    const first = await startReceiver(dir.path);
    cleanups.push(() => first.proc.kill());
    const url = `http://127.0.0.1:${first.ports.rw}/api/v1/receive`;
    const acked: Array<{ series: number; t: number }> = [];
    const send = async (i: number) => {
      const timeseries = Array.from({ length: 20 }, (_, s) => ({
        labels: [
          { name: '__name__', value: 'kill_test' },
          { name: 'series', value: String(s) },
        ],
        timestamps: [1_700_000_000_000 + i * 1000],
        values: Float64Array.of(i),
      }));
      const body = compressSnappyBlock(encodeWriteRequest({ timeseries }));
      const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Encoding': 'snappy' } });
      if (res.status === 200) for (let s = 0; s < 20; s++) acked.push({ series: s, t: 1_700_000_000_000 + i * 1000 });
    };
    // Requests in flight from several senders while the process is killed.
    let next = 0;
    const sender = async () => {
      while (next < 100_000) {
        try {
          await send(next++);
        } catch {
          return;
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    while (acked.length < 2000) await new Promise((r) => setTimeout(r, 20));
    await first.proc.kill();
    await Promise.all(senders);
    expect(acked.length).toBeGreaterThanOrEqual(2000);

    const copy = tempDir('receive-kill-copy-');
    cleanups.push(copy.cleanup);
    cpSync(join(dir.path, 'default-tenant'), copy.path, { recursive: true });
    const dump = promtool(['tsdb', 'dump', copy.path]);
    expect(dump.status, dump.stderr).toBe(0);
    const dumped = new Set(
      dump.stdout
        .trimEnd()
        .split('\n')
        .map((l) => {
          const m = /series="(\d+)"\} \S+ (\d+)$/.exec(l)!;
          return `${m[1]}@${m[2]}`;
        }),
    );
    const missing = acked.filter((a) => !dumped.has(`${a.series}@${a.t}`));
    expect(missing).toEqual([]);

    const second = await startReceiver(dir.path, first.ports);
    cleanups.push(() => second.proc.stop());
    const served = await storeSamples(second.ports.grpc, 'kill_test');
    expect(acked.filter((a) => !served.has(`__name__=kill_test,series=${a.series}@${a.t}`))).toEqual([]);
    expect(await second.proc.stop()).toBe(0);
  });

  it('stores what a real Prometheus remote-writes, equal to its own samples', async () => {
    const dir = tempDir('receive-prom-');
    cleanups.push(dir.cleanup);
    const recv = await startReceiver(join(dir.path, 'receive'));
    cleanups.push(() => recv.proc.stop());
    const prom = await startPrometheus({
      dir: join(dir.path, 'prom'),
      config: [
        'global: { scrape_interval: 1s }',
        'scrape_configs:',
        '  - job_name: prometheus',
        "    static_configs: [{ targets: ['127.0.0.1:{{port}}'] }]",
        'remote_write:',
        `  - url: http://127.0.0.1:${recv.ports.rw}/api/v1/receive`,
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
        '',
      ].join('\n'),
    });
    cleanups.push(() => prom.stop());

    const name = 'up|scrape_samples_scraped|prometheus_tsdb_head_series';
    // Wait for a few scrapes, then until our receiver holds samples past a cut-off
    // (remote_write is asynchronous).
    for (let i = 0; i < 150; i++) {
      const up = (await (await fetch(`${prom.url}/api/v1/query?query=count_over_time(up[1m])`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      if (Number(up.data.result[0]?.value[1] ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cutoff = Date.now() - 1000;
    let ours = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      ours = await storeSamples(recv.ports.grpc, name);
      if ([...ours.keys()].some((k) => k.startsWith('__name__=up,') && Number(k.split('@')[1]) > cutoff)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const q = encodeURIComponent(`{__name__=~"${name}"}[1h]`);
    const res = (await (await fetch(`${prom.url}/api/v1/query?query=${q}&time=${cutoff / 1000}`)).json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    const theirs = new Map<string, number>();
    for (const s of res.data.result) {
      const key = Object.entries(s.metric)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      for (const [t, v] of s.values) theirs.set(`${key}@${Math.round(t * 1000)}`, Number(v));
    }
    expect(theirs.size, JSON.stringify(res).slice(0, 500)).toBeGreaterThanOrEqual(6);
    const oursInWindow = new Map([...ours].filter(([k]) => Number(k.split('@')[1]) <= cutoff));
    expect(oursInWindow).toEqual(theirs);
  });
});
