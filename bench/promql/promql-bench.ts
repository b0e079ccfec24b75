// Range-query benchmark of the PromQL engine (@thanos-ts/promql over a MemorySeriesStore) against
// Prometheus 2.42 answering the same queries over the same data (blocks made by promtool from the
// same OpenMetrics text), in the same run on the same machine.
//
// Run (bundled like production code): node bench/remote-write/run-bundled.mjs bench/promql/promql-bench.ts
// Size: BENCH_SERIES counter series `x` plus as many histogram bucket series `h_bucket` (10 buckets per
// group), BENCH_HOURS of 15 s samples; queries span the whole data at BENCH_STEP seconds, BENCH_RUNS
// times each after one warm-up. Prints a markdown table; results are kept in bench/README.md ("promql").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, labelsFromRecord, MemorySeriesStore, type Labels } from '../../packages/promql/src/index';
import { compareResults } from '../../packages/promql/src/differential/compare';
import { normalizeOurs } from '../../packages/promql/src/differential/normalize';
import { queryPrometheus, type QuerySpec } from '../../packages/promql/src/differential/prometheus-api';
import { processUsage, promtool, startPrometheus, tempDir } from '../../packages/testkit/src/index';
import { writeBenchOpenMetrics, benchSeries } from './bench-data';

const SERIES = Number(process.env.BENCH_SERIES ?? 1000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const INTERVAL = 15_000;
const SAMPLES = Math.floor((HOURS * 3600_000) / INTERVAL);
const START = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);
const END = START + (SAMPLES - 1) * INTERVAL;

const QUERIES = [
  'rate(x[5m])',
  'sum by (job) (rate(x[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
  'topk(10, rate(x[5m]))',
];

interface Measurement {
  wallMs: number;
  cpuMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function measureOurs(run: () => Promise<unknown>): Promise<Measurement> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function measurePrometheus(pid: number, run: () => Promise<unknown>): Promise<Measurement> {
  const cpu0 = processUsage(pid).cpuSeconds;
  const t0 = performance.now();
  await run();
  const wallMs = performance.now() - t0;
  return { wallMs, cpuMs: (processUsage(pid).cpuSeconds - cpu0) * 1000 };
}

async function main(): Promise<void> {
  const dir = tempDir('promql-bench-');
  try {
    const series = benchSeries(SERIES);
    console.error(`generating ${series.length} series x ${SAMPLES} samples (${HOURS} h at 15 s)`);
    const omFile = join(dir.path, 'data.om');
    await writeBenchOpenMetrics(omFile, series, START, SAMPLES, INTERVAL);
    let t = performance.now();
    const made = promtool(['tsdb', 'create-blocks-from', 'openmetrics', omFile, join(dir.path, 'data')]);
    if (made.status !== 0) throw new Error(`promtool failed: ${made.stderr}`);
    console.error(`promtool create-blocks-from: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    t = performance.now();
    const store = new MemorySeriesStore();
    const value = new Float64Array(1);
    for (const s of series) {
      const labels: Labels = labelsFromRecord(s.labels);
      for (let i = 0; i < SAMPLES; i++) {
        value[0] = s.value(i);
        store.appendFrom(labels, START + i * INTERVAL, value, 0);
      }
    }
    const rssAfterLoad = process.memoryUsage().rss;
    console.error(
      `loaded MemorySeriesStore: ${((performance.now() - t) / 1000).toFixed(1)} s, RSS ${mb(rssAfterLoad)}`,
    );

    const prometheus = await startPrometheus({
      dir: dir.path,
      extraArgs: ['--storage.tsdb.retention.time=100y', '--query.lookback-delta=5m', '--query.max-samples=500000000'],
    });
    try {
      const engine = new Engine({ maxSamples: 500_000_000, timeout: 600_000 });
      const rows: string[] = [];
      for (const query of QUERIES) {
        const spec: QuerySpec = { kind: 'range', query, start: START + 600_000, end: END, step: STEP };
        const runOurs = () => engine.rangeQuery(store, query, spec.start, spec.end, spec.step);
        // warm-up, and the two answers must agree before the timings mean anything
        const oursResult = normalizeOurs((await runOurs()).value);
        const theirs = await queryPrometheus(prometheus.url, spec, true);
        const diff = compareResults(oursResult, theirs.result, false);
        const samples = theirs.stats?.totalQueryableSamples ?? NaN;
        const ours: Measurement[] = [];
        const prom: Measurement[] = [];
        for (let r = 0; r < RUNS; r++) {
          ours.push(await measureOurs(runOurs));
          prom.push(await measurePrometheus(prometheus.pid, () => queryPrometheus(prometheus.url, spec)));
        }
        const row = (who: string, ms: Measurement[], peak: number) => {
          const cpu = median(ms.map((m) => m.cpuMs));
          return `| \`${query}\` | ${who} | ${median(ms.map((m) => m.wallMs)).toFixed(0)} ms | ${cpu.toFixed(0)} ms | ${(samples / cpu / 1000).toFixed(1)} M/s | ${mb(peak)} | ${diff ? `DIFFER: ${diff}` : 'yes'} |`;
        };
        rows.push(row('ours', ours, process.resourceUsage().maxRSS * 1024));
        rows.push(row('Prometheus', prom, peakRssBytes(prometheus.pid)));
        console.error(rows.slice(-2).join('\n'));
      }
      console.log(
        `\n${series.length} series x ${SAMPLES} samples; range ${((END - START - 600_000) / 3600_000).toFixed(2)} h at ${STEP / 1000} s steps; median of ${RUNS} runs\n`,
      );
      console.log('| query | engine | wall | CPU | samples/CPU-s | peak RSS | results agree |');
      console.log('|---|---|---|---|---|---|---|');
      for (const r of rows) console.log(r);
      console.log(`\nour RSS after loading the store: ${mb(rssAfterLoad)}`);
    } finally {
      await prometheus.stop();
    }
  } finally {
    dir.cleanup();
  }
}

await main();
