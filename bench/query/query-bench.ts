// Range-query benchmark: querier -> StoreAPI -> receiver (in-process) vs Prometheus 2.42
// over the same data, in the same run. Run: npx vite-node bench/query/query-bench.ts
// Size: BENCH_SERIES counter series plus as many histogram bucket series, BENCH_HOURS of
// 15 s samples (defaults 2000 and 2: the receiver keeps everything in its head block).
// Prints a markdown table; results and conclusions are kept in bench/README.md ("query").
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Receiver, RECEIVER_DEFAULTS } from '../../packages/receive/src/index';
import { compressSnappyBlock, encodeWriteRequest } from '../../packages/remote-write/src/index';
import { createLogger } from '../../packages/runtime/src/index';
import { promtool, startPrometheus, tempDir } from '../../packages/testkit/src/index';
import { Querier } from '../../packages/query/src/index';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const HOURS = Number(process.env.BENCH_HOURS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const INTERVAL = 15_000;
const SAMPLES = Math.floor((HOURS * 3600_000) / INTERVAL);
const START = Math.floor((Date.now() - HOURS * 3600_000 - 600_000) / 60_000) * 60_000;
const END = START + (SAMPLES - 1) * INTERVAL;
const JOBS = 10;
const LE = ['0.01', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

interface BenchSeries {
  name: string;
  labels: [string, string][];
  /** Value at sample i (deterministic, so both systems get identical data). */
  value(i: number): number;
}

function dataSet(): BenchSeries[] {
  const out: BenchSeries[] = [];
  for (let s = 0; s < SERIES; s++) {
    const rate = 1 + (s % 7);
    out.push({
      name: 'x',
      labels: [
        ['instance', `i${s}`],
        ['job', `j${s % JOBS}`],
      ],
      value: (i) => i * rate + (s % 13),
    });
  }
  for (let g = 0; g < SERIES / LE.length; g++) {
    LE.forEach((le, b) =>
      out.push({
        name: 'h_bucket',
        labels: [
          ['instance', `i${g}`],
          ['job', `j${g % JOBS}`],
          ['le', le],
        ],
        value: (i) => i * (b + 1) + g,
      }),
    );
  }
  return out;
}

async function writeOpenMetrics(series: BenchSeries[], file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  for (const name of ['x', 'h_bucket']) {
    await write(`# TYPE ${name} gauge\n`);
    for (const s of series) {
      if (s.name !== name) continue;
      const ls = s.labels.map(([k, v]) => `${k}="${v}"`).join(',');
      let buf = '';
      for (let i = 0; i < SAMPLES; i++) buf += `${name}{${ls}} ${s.value(i)} ${(START + i * INTERVAL) / 1000}\n`;
      await write(buf);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
}

/** Writes time slice after time slice (all series each), as a scraper would: the head only accepts recent samples. */
async function remoteWrite(receiver: Receiver, series: BenchSeries[]): Promise<void> {
  const SLICE = 120;
  const perRequest = Math.max(1, Math.floor(200_000 / SLICE));
  const url = `http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`;
  for (let first = 0; first < SAMPLES; first += SLICE) {
    const idx = Array.from({ length: Math.min(SLICE, SAMPLES - first) }, (_, i) => first + i);
    const timestamps = idx.map((i) => START + i * INTERVAL);
    for (let from = 0; from < series.length; from += perRequest) {
      const body = compressSnappyBlock(
        encodeWriteRequest({
          timeseries: series.slice(from, from + perRequest).map((s) => ({
            labels: [{ name: '__name__', value: s.name }, ...s.labels.map(([name, value]) => ({ name, value }))],
            timestamps,
            values: Float64Array.from(idx, (i) => s.value(i)),
          })),
        }),
      );
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
      });
      if (res.status !== 200) throw new Error(`remote write failed: ${res.status} ${await res.text()}`);
    }
  }
}

const QUERIES = [
  'rate(x[5m])',
  'sum by (job) (rate(x[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
  'topk(10, rate(x[5m]))',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = tempDir('query-bench-');
  const quiet = createLogger({ write: () => {} });
  const series = dataSet();
  console.error(`data: ${series.length} series x ${SAMPLES} samples (${HOURS}h at 15s)`);

  const omFile = join(dir.path, 'data.om');
  await writeOpenMetrics(series, omFile);
  const made = promtool(['tsdb', 'create-blocks-from', 'openmetrics', omFile, join(dir.path, 'prom', 'data')]);
  if (made.status !== 0) throw new Error(made.stderr);
  const prometheus = await startPrometheus({ dir: join(dir.path, 'prom') });
  const stops: Array<() => Promise<unknown>> = [() => prometheus.kill()];
  try {
    const receiver = new Receiver({
      ...RECEIVER_DEFAULTS,
      remoteWriteAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      grpcAddress: '127.0.0.1:0',
      tsdbPath: join(dir.path, 'receive'),
      externalLabels: [{ name: 'replica', value: 'r0' }],
      logger: quiet,
    });
    await receiver.start();
    stops.push(() => receiver.stop());
    await remoteWrite(receiver, series);

    let last = { fanOutMs: 0, decodeMs: 0, evalMs: 0, series: 0, samples: 0 };
    const querier = new Querier({
      httpAddress: '127.0.0.1:0',
      endpoints: [`127.0.0.1:${receiver.grpcPort}`],
      replicaLabels: ['replica', 'tenant_id'],
      logger: quiet,
      onQueryTiming: (t) => (last = t),
    });
    await querier.start();
    stops.push(() => querier.stop());

    const params = (q: string) =>
      new URLSearchParams({ query: q, start: String(START / 1000 + 600), end: String(END / 1000), step: '60' });
    const timed = async (url: string) => {
      const t0 = performance.now();
      const res = await fetch(url);
      const body = (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
      if (body.status !== 'success') throw new Error(`${url}: ${body.error}`);
      return { ms: performance.now() - t0, n: body.data!.result.length };
    };

    const rows: string[] = [
      '| query | result series | ours total ms | fan-out ms | decode+dedup ms | eval ms | Prometheus ms |',
      '|---|---|---|---|---|---|---|',
    ];
    for (const q of QUERIES) {
      const ours: Array<typeof last & { ms: number }> = [];
      const theirs: number[] = [];
      let n = 0;
      for (let r = 0; r < RUNS; r++) {
        const a = await timed(`http://127.0.0.1:${querier.httpPort}/api/v1/query_range?${params(q)}`);
        ours.push({ ...last, ms: a.ms });
        n = a.n;
        theirs.push((await timed(`${prometheus.url}/api/v1/query_range?${params(q)}`)).ms);
      }
      const pick = (f: (x: (typeof ours)[number]) => number) => median(ours.map(f)).toFixed(0);
      rows.push(
        `| \`${q}\` | ${n} | ${pick((x) => x.ms)} | ${pick((x) => x.fanOutMs)} | ${pick((x) => x.decodeMs)} | ${pick((x) => x.evalMs)} | ${median(theirs).toFixed(0)} |`,
      );
    }
    console.log(rows.join('\n'));
  } finally {
    for (const stop of stops.reverse()) await stop();
    dir.cleanup();
  }
}

await main();
