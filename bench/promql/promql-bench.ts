// Range-query benchmark of the PromQL engine (@thanos-ts/promql) against Prometheus 2.42 answering the
// same queries over the same data, in the same run on the same machine. Prometheus reads 2 h blocks
// written by our block writer (bench-blocks.ts); we read the same samples from exactly sized columns.
//
// Run (bundled like production code): node bench/run-bundled.mjs bench/promql/promql-bench.ts
// Size: BENCH_SERIES counter series `x` plus as many histogram bucket series `h_bucket` (10 buckets per
// group), BENCH_HOURS of 15 s samples; queries span the whole data at BENCH_STEP seconds, BENCH_RUNS
// times each after one warm-up. Prints a markdown table; results are kept in bench/README.md ("promql").
// At 10k series Prometheus's JSON answer to rate(x[5m]) is ~400 MB, parsed once here for the comparison:
// run with NODE_OPTIONS=--max-old-space-size=12000.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../packages/promql/src/index';
import { compareResults } from '../../packages/promql/src/differential/compare';
import { normalizeOurs } from '../../packages/promql/src/differential/normalize';
import { queryPrometheus, type QuerySpec } from '../../packages/promql/src/differential/prometheus-api';
import { processUsage, startPrometheus, tempDir } from '../../packages/testkit/src/index';
import { writeBenchBlocks } from './bench-blocks';
import { BENCH_QUERIES, benchSeries, benchWindow } from './bench-data';
import { benchColumns } from './bench-store';

const SERIES = Number(process.env.BENCH_SERIES ?? 10000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const STEP = Number(process.env.BENCH_STEP ?? 60) * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const { interval: INTERVAL, samples: SAMPLES, start: START, end: END } = benchWindow(HOURS);

const QUERIES = BENCH_QUERIES;

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

/** Runs a range query on Prometheus and reads the whole answer without parsing it. */
async function drainPrometheusQuery(url: string, spec: QuerySpec & { kind: 'range' }): Promise<void> {
  const form = new URLSearchParams({
    query: spec.query,
    start: (spec.start / 1000).toFixed(3),
    end: (spec.end / 1000).toFixed(3),
    step: (spec.step / 1000).toFixed(3),
  });
  const res = await fetch(`${url}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  if (!res.ok || !res.body) throw new Error(`Prometheus answered HTTP ${res.status}`);
  for await (const _chunk of res.body);
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
    console.error(`${series.length} series x ${SAMPLES} samples (${HOURS} h at 15 s)`);
    let t = performance.now();
    const blocks = await writeBenchBlocks(join(dir.path, 'data'), series, START, SAMPLES, INTERVAL);
    console.error(`wrote ${blocks} blocks: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    t = performance.now();
    const store = benchColumns(series, START, SAMPLES, INTERVAL);
    const rssAfterLoad = process.memoryUsage().rss;
    console.error(`loaded columns: ${((performance.now() - t) / 1000).toFixed(1)} s, RSS ${mb(rssAfterLoad)}`);

    const engine = new Engine({ maxSamples: 500_000_000, timeout: 600_000 });
    const specOf = (query: string): QuerySpec & { kind: 'range' } => ({
      kind: 'range',
      query,
      start: START + 600_000,
      end: END,
      step: STEP,
    });
    const runOurs = (spec: QuerySpec & { kind: 'range' }) =>
      engine.rangeQuery(store, spec.query, spec.start, spec.end, spec.step);

    // Our peak memory per query, before this process parses any of Prometheus's (large) JSON answers:
    // one run of each query in order, the high-water mark after it.
    const oursPeak = new Map<string, number>();
    for (const query of QUERIES) {
      await runOurs(specOf(query));
      oursPeak.set(query, process.resourceUsage().maxRSS * 1024);
    }

    const prometheus = await startPrometheus({
      dir: dir.path,
      extraArgs: [
        '--storage.tsdb.retention.time=100y',
        '--query.lookback-delta=5m',
        '--query.max-samples=500000000',
        // no compaction of the written blocks while we measure
        '--storage.tsdb.min-block-duration=2h',
        '--storage.tsdb.max-block-duration=2h',
      ],
    });
    try {
      const rows: string[] = [];
      for (const query of QUERIES) {
        const spec = specOf(query);
        // warm-up, and the two answers must agree before the timings mean anything
        const theirs = await queryPrometheus(prometheus.url, spec, true);
        const diff = compareResults(normalizeOurs((await runOurs(spec)).value), theirs.result, false);
        const samples = theirs.stats?.totalQueryableSamples ?? NaN;
        const ours: Measurement[] = [];
        const prom: Measurement[] = [];
        for (let r = 0; r < RUNS; r++) {
          ours.push(await measureOurs(() => runOurs(spec)));
          prom.push(await measurePrometheus(prometheus.pid, () => drainPrometheusQuery(prometheus.url, spec)));
        }
        const row = (who: string, ms: Measurement[], peak: number) => {
          const cpu = median(ms.map((m) => m.cpuMs));
          return `| \`${query}\` | ${who} | ${median(ms.map((m) => m.wallMs)).toFixed(0)} ms | ${cpu.toFixed(0)} ms | ${(samples / cpu / 1000).toFixed(1)} M/s | ${mb(peak)} | ${diff ? `DIFFER: ${diff}` : 'yes'} |`;
        };
        rows.push(row('ours', ours, oursPeak.get(query)!));
        rows.push(row('Prometheus', prom, peakRssBytes(prometheus.pid)));
        console.error(rows.slice(-2).join('\n'));
        console.error(
          `  CPU ms ours ${ours.map((m) => m.cpuMs.toFixed(0)).join(' ')}; Prometheus ${prom.map((m) => m.cpuMs.toFixed(0)).join(' ')}; samples ${samples}`,
        );
      }
      console.log(
        `\n${series.length} series x ${SAMPLES} samples; range ${((END - START - 600_000) / 3600_000).toFixed(2)} h at ${STEP / 1000} s steps; median of ${RUNS} runs\n`,
      );
      console.log('| query | engine | wall | CPU | samples/CPU-s | peak RSS | results agree |');
      console.log('|---|---|---|---|---|---|---|');
      for (const r of rows) console.log(r);
      console.log(`\nour RSS after loading the columns: ${mb(rssAfterLoad)}`);
    } finally {
      await prometheus.stop();
    }
  } finally {
    dir.cleanup();
  }
}

await main();
