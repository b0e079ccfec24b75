// An HA Prometheus pair end to end: two real Prometheus 2.42 servers scrape the same target
// and remote-write to one receiver each (external label replica="a" / "b"); the querier sits
// over both receivers with --query.replica-label=replica.
//
// Midway, receiver "a" is SIGKILLed and restarted: its WAL and Prometheus's retries must leave
// no hole. Then Prometheus "a" is frozen (SIGSTOP) for longer than the lookback delta, so
// replica "a" really misses a stretch of samples. The deduplicated range query must equal
// Prometheus "b"'s own answer at every step (no gap), and with dedup=false both replicas come
// back separately, "a" with its gap. A short lookback delta (5 s, on both sides) makes a
// missing stretch visible as missing steps. The metric metadata the pair sends with
// remote_write is served by /api/v1/metadata as Prometheus serves it.
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  startCli,
  startPrometheus,
  tempDir,
  waitForHttpOk,
  type PrometheusServer,
  type RunningProcess,
} from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const SERIES = 5;
const LOOKBACK = '5s';
const dir = tempDir('ha-pair-');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  dir.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The scraped application: constant gauges, so both replicas record the same values. */
async function startTarget(): Promise<number> {
  const body =
    '# HELP ha_test_gauge A constant per series.\n# TYPE ha_test_gauge gauge\n' +
    Array.from({ length: SERIES }, (_, i) => `ha_test_gauge{series="${i}"} ${i + 1}\n`).join('');
  const server: Server = createServer((_, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return (server.address() as { port: number }).port;
}

interface ReceiverPorts {
  remoteWrite: number;
  http: number;
  grpc: number;
}

async function receiverPorts(): Promise<ReceiverPorts> {
  return { remoteWrite: await freePort(), http: await freePort(), grpc: await freePort() };
}

async function startReceiver(replica: string, ports: ReceiverPorts): Promise<RunningProcess> {
  const proc = startCli([
    'receive',
    '--log.level=warn',
    `--remote-write.address=127.0.0.1:${ports.remoteWrite}`,
    `--http-address=127.0.0.1:${ports.http}`,
    `--grpc-address=127.0.0.1:${ports.grpc}`,
    `--tsdb.path=${join(dir.path, `receive-${replica}`)}`,
    `--label=replica="${replica}"`,
  ]);
  cleanups.push(() => proc.stop());
  await waitForHttpOk(`http://127.0.0.1:${ports.http}/-/ready`, proc);
  return proc;
}

async function startReplica(replica: string, target: number, receiver: ReceiverPorts): Promise<PrometheusServer> {
  const promDir = join(dir.path, `prometheus-${replica}`);
  mkdirSync(promDir);
  const prom = await startPrometheus({
    dir: promDir,
    config: `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: app
    static_configs: [{ targets: ['127.0.0.1:${target}'] }]
remote_write:
  - url: http://127.0.0.1:${receiver.remoteWrite}/api/v1/receive
    queue_config: { batch_send_deadline: 500ms, min_backoff: 50ms, max_backoff: 500ms }
    metadata_config: { send_interval: 1s }
`,
    extraArgs: [`--query.lookback-delta=${LOOKBACK}`],
  });
  cleanups.push(() => prom.stop());
  return prom;
}

interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

async function rangeQuery(
  base: string,
  params: { start: number; end: number },
  extra: Record<string, string> = {},
): Promise<RangeSeries[]> {
  const query = new URLSearchParams({
    query: 'ha_test_gauge',
    start: String(params.start),
    end: String(params.end),
    step: '1',
    ...extra,
  });
  const res = await fetch(`${base}/api/v1/query_range?${query}`);
  const body = (await res.json()) as { status: string; data?: { result: RangeSeries[] } };
  if (body.status !== 'success') throw new Error(`query_range at ${base}: ${JSON.stringify(body)}`);
  return body.data!.result;
}

/** `series label → [timestamp, value][]`, the comparable part of an answer. */
function bySeries(result: RangeSeries[], extraKey = ''): Map<string, Array<[number, string]>> {
  return new Map(result.map((s) => [`${s.metric.series}${extraKey ? `/${s.metric[extraKey]}` : ''}`, s.values]));
}

/** Newest sample time (s) of `replica` that the querier serves, or 0. */
async function newestSample(query: string, replica: string): Promise<number> {
  const params = new URLSearchParams({ query: `timestamp(ha_test_gauge{replica="${replica}"})`, dedup: 'false' });
  const body = (await (await fetch(`${query}/api/v1/query?${params}`)).json()) as {
    data?: { result: Array<{ value: [number, string] }> };
  };
  const times = (body.data?.result ?? []).map((s) => Number(s.value[1]));
  return times.length === SERIES ? Math.min(...times) : 0;
}

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('an HA Prometheus pair through two receivers and the querier', () => {
  it('answers like Prometheus with replicas deduplicated and no gap, and both replicas with dedup=false', async () => {
    const target = await startTarget();
    const [portsA, portsB] = [await receiverPorts(), await receiverPorts()];
    let receiverA = await startReceiver('a', portsA);
    await startReceiver('b', portsB);
    const [queryHttp, queryGrpc] = [await freePort(), await freePort()];
    const querier = startCli([
      'query',
      '--log.level=warn',
      `--http-address=127.0.0.1:${queryHttp}`,
      `--grpc-address=127.0.0.1:${queryGrpc}`,
      `--endpoint=127.0.0.1:${portsA.grpc}`,
      `--endpoint=127.0.0.1:${portsB.grpc}`,
      '--query.replica-label=replica',
      `--query.lookback-delta=${LOOKBACK}`,
    ]);
    cleanups.push(() => querier.stop());
    const query = `http://127.0.0.1:${queryHttp}`;
    await waitForHttpOk(`${query}/-/ready`, querier);

    const promA = await startReplica('a', target, portsA);
    const promB = await startReplica('b', target, portsB);
    await waitUntil('both replicas to arrive', async () => {
      const [a, b] = [await newestSample(query, 'a'), await newestSample(query, 'b')];
      return a > 0 && b > 0;
    });
    const start = Math.ceil(Math.max(await newestSample(query, 'a'), await newestSample(query, 'b'))) + 1;

    // A receiver crash: Prometheus retries what was not acknowledged, the WAL keeps what was.
    await sleep(4_000);
    await receiverA.kill();
    await sleep(4_000);
    receiverA = await startReceiver('a', portsA);
    await sleep(6_000);
    const freezeStart = Date.now() / 1000;

    // Replica "a" itself stops scraping: a real hole in its data.
    process.kill(promA.pid, 'SIGSTOP');
    await sleep(15_000);
    process.kill(promA.pid, 'SIGCONT');
    const freezeEnd = Date.now() / 1000;
    await sleep(6_000);
    const end = Math.floor(Date.now() / 1000) - 2;
    await waitUntil('both replicas to catch up', async () => {
      const [a, b] = [await newestSample(query, 'a'), await newestSample(query, 'b')];
      return a >= end && b >= end;
    });

    const window = { start, end };
    const theirs = bySeries(await rangeQuery(promB.url, window));
    const deduplicated = await rangeQuery(query, window);
    const raw = await rangeQuery(query, window, { dedup: 'false' });

    // Prometheus "b" saw every scrape: one value per step for every series.
    const steps = end - start + 1;
    expect([...theirs.keys()].sort()).toEqual(Array.from({ length: SERIES }, (_, i) => String(i)));
    for (const values of theirs.values()) expect(values).toHaveLength(steps);

    // Deduplicated: replica label gone, the receivers' tenant label kept, every step present.
    for (const s of deduplicated) {
      expect(Object.keys(s.metric).sort()).toEqual(['__name__', 'instance', 'job', 'series', 'tenant_id']);
    }
    expect(bySeries(deduplicated)).toEqual(theirs);

    // dedup=false: both replicas separately; "b" complete, "a" complete up to the freeze
    // (the receiver restart lost nothing) and missing the steps the freeze hid.
    const replicas = bySeries(raw, 'replica');
    expect(replicas.size).toBe(2 * SERIES);
    for (let i = 0; i < SERIES; i++) {
      expect(replicas.get(`${i}/b`)).toEqual(theirs.get(String(i)));
      const a = replicas.get(`${i}/a`)!;
      const present = new Set(a.map(([t]) => t));
      const missing = Array.from({ length: steps }, (_, k) => start + k).filter((t) => !present.has(t));
      expect(missing.length).toBeGreaterThan(0);
      expect(Math.min(...missing)).toBeGreaterThan(freezeStart);
      expect(Math.max(...missing)).toBeLessThan(freezeEnd + 5);
      for (const [, v] of a) expect(v).toBe(String(i + 1));
    }

    // The metric metadata Prometheus remote-writes is served like Prometheus's own.
    const metadataOf = async (base: string) =>
      ((await (await fetch(`${base}/api/v1/metadata?metric=ha_test_gauge`)).json()) as { data: unknown }).data;
    expect(await metadataOf(promB.url)).toEqual({
      ha_test_gauge: [{ type: 'gauge', help: 'A constant per series.', unit: '' }],
    });
    expect(await metadataOf(query)).toEqual(await metadataOf(promB.url));
  }, 150_000);
});
