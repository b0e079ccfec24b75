// Engine-only driver: the benchmark's data in a column store and its four queries, no
// Prometheus, no storage. Prints per query the median (and least) CPU time and the garbage
// collections (count, ms) of a query. Run: node bench/run-bundled.mjs bench/promql/engine-profile.ts
// (add --cpu-prof by running the bundle with node directly). BENCH_SERIES (2000), BENCH_HOURS (24),
// BENCH_STEP (s, 60), BENCH_RUNS (7); BENCH_QUERY runs the queries containing that text.
import { PerformanceObserver } from 'node:perf_hooks';
import { Engine } from '../../packages/promql/src/index';
import { BENCH_QUERIES, benchSeries, benchWindow } from './bench-data';
import { benchColumns } from './bench-store';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const { interval: INTERVAL, samples: SAMPLES, start: START, end: END } = benchWindow(HOURS);
const QUERIES = BENCH_QUERIES.filter((q) => q.includes(process.env.BENCH_QUERY ?? ''));

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
