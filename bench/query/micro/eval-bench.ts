// PromQL evaluation in isolation: the query benchmark's four queries over in-memory series
// (bench/promql's data and column store), as the querier evaluates them once the samples are
// decoded. Prints per query the median (and least) CPU time and garbage collection (count, ms)
// of a query.
// Run: node bench/run-bundled.mjs bench/query/micro/eval-bench.ts
// BENCH_SERIES (default 2000), BENCH_HOURS (24), BENCH_STEP (s, 60), BENCH_RUNS (7), BENCH_QUERY.
import { PerformanceObserver } from 'node:perf_hooks';
import { Engine } from '../../../packages/promql/src/index';
import { benchSeries } from '../../promql/bench-data';
import { benchColumns } from '../../promql/bench-store';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const INTERVAL = 15_000;
const SAMPLES = Math.floor((HOURS * 3600_000) / INTERVAL);
const START = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);
const END = START + (SAMPLES - 1) * INTERVAL;

const QUERIES = [
  'rate(x[5m])',
  'sum by (job) (rate(x[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
  'topk(10, rate(x[5m]))',
].filter((q) => q.includes(process.env.BENCH_QUERY ?? ''));

let gcCount = 0;
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
/** GC entries arrive asynchronously: let them in before reading the counters. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const store = benchColumns(benchSeries(SERIES), START, SAMPLES, INTERVAL);
const engine = new Engine({ maxSamples: 500_000_000, timeout: 600_000 });
for (const query of QUERIES) {
  const cpus: number[] = [];
  const gcs: number[] = [];
  const gcTimes: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    await settle();
    const [count0, ms0] = [gcCount, gcMs];
    const cpu0 = process.cpuUsage();
    await engine.rangeQuery(store, query, START + 600_000, END, STEP);
    const cpu = process.cpuUsage(cpu0);
    await settle();
    // the first run warms the code up
    if (r === 0) continue;
    cpus.push((cpu.user + cpu.system) / 1000);
    gcs.push(gcCount - count0);
    gcTimes.push(gcMs - ms0);
  }
  console.log(
    `${query}: ${median(cpus).toFixed(0)} ms CPU (min ${Math.min(...cpus).toFixed(0)}), GC ${median(gcs)} x ${median(gcTimes).toFixed(0)} ms (CPU ms per run: ${cpus.map((c) => c.toFixed(0)).join(' ')})`,
  );
}
