// Engine-only driver for profiling: the benchmark's data in a MemorySeriesStore and its queries,
// no Prometheus. Run: node bench/run-bundled.mjs bench/promql/engine-profile.ts
// (add --cpu-prof by running the bundle with node directly). BENCH_SERIES, BENCH_HOURS, BENCH_STEP,
// BENCH_RUNS as in promql-bench.ts; BENCH_QUERY picks one query.
import { Engine } from '../../packages/promql/src/index';
import { benchSeries } from './bench-data';
import { benchColumns } from './bench-store';

const SERIES = Number(process.env.BENCH_SERIES ?? 1000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const INTERVAL = 15_000;
const SAMPLES = Math.floor((HOURS * 3600_000) / INTERVAL);
const START = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);
const END = START + (SAMPLES - 1) * INTERVAL;

const QUERIES = process.env.BENCH_QUERY
  ? [process.env.BENCH_QUERY]
  : [
      'rate(x[5m])',
      'sum by (job) (rate(x[5m]))',
      'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
      'topk(10, rate(x[5m]))',
    ];

const store = benchColumns(benchSeries(SERIES), START, SAMPLES, INTERVAL);
const engine = new Engine({ maxSamples: 500_000_000, timeout: 600_000 });
for (const query of QUERIES) {
  const cpus: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const cpu0 = process.cpuUsage();
    await engine.rangeQuery(store, query, START + 600_000, END, STEP);
    const cpu = process.cpuUsage(cpu0);
    if (r > 0) cpus.push((cpu.user + cpu.system) / 1000);
  }
  cpus.sort((a, b) => a - b);
  console.log(
    `${query}: median ${cpus[Math.floor(cpus.length / 2)].toFixed(0)} ms CPU (${cpus.map((c) => c.toFixed(0)).join(' ')})`,
  );
}
