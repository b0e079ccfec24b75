// Range-query benchmark: querier -> StoreAPI -> receiver (in-process) vs Prometheus 2.42
// over the same data, in the same run. Run bundled, as production runs:
//   node bench/run-bundled.mjs bench/query/query-bench.ts
// Size: BENCH_SERIES counter series plus as many histogram bucket series, BENCH_HOURS of
// 15 s samples (defaults 2000 and 2: the receiver keeps everything in its head block, fed by
// remote write). Beyond 2 h (the size: BENCH_SERIES=10000 BENCH_HOURS=24) the data is
// written as 2 h blocks that Prometheus and the receiver both serve (block-data.ts).
// BENCH_RECEIVER=process puts the receiver and the querier in processes of their own (as
// deployed; the HTTP client reading the answers then stays out of our CPU time) instead of
// this one; BENCH_CHILD_NODE_FLAGS adds node flags to those two processes. BENCH_QUERY runs only
// the queries containing that text. Prints a markdown table;
// results and conclusions are in bench/README.md ("query").
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loopbackReceiverConfig, Receiver } from '../../packages/receive/src/index';
import { processUsage, promtool, startPrometheus, tempDir } from '../../packages/testkit/src/index';
import { writeBlockData } from './block-data';
import {
  dataSet,
  INTERVAL,
  QUERIES,
  remoteWrite,
  startBenchQuerier,
  writeOpenMetrics,
  type QueryTiming,
} from './bench-data';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const HOURS = Number(process.env.BENCH_HOURS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLES = Math.floor((HOURS * 3600_000) / INTERVAL);
const START = Math.floor((Date.now() - HOURS * 3600_000 - 600_000) / 60_000) * 60_000;
const END = START + (SAMPLES - 1) * INTERVAL;
const shape = { series: SERIES, samples: SAMPLES, start: START };
/**
 * BENCH_RECEIVER=process runs the receiver and the querier each in a process of its own, as
 * deployed (bundled runs only).
 */
const SEPARATE_RECEIVER = process.env.BENCH_RECEIVER === 'process';
/** Node flags for those processes, e.g. `--cpu-prof --cpu-prof-dir=DIR` (not allowed in NODE_OPTIONS). */
const CHILD_NODE_FLAGS = (process.env.BENCH_CHILD_NODE_FLAGS ?? '').split(' ').filter(Boolean);

interface BenchReceiver {
  remoteWritePort: number;
  grpcPort: number;
  /** CPU time (ms) the receiver used outside this process (0 when it runs in this process). */
  otherCpuMs(): number;
  stop(): Promise<unknown>;
}

async function startReceiver(tsdbPath: string): Promise<BenchReceiver & { receiver: Receiver }> {
  const receiver = new Receiver(loopbackReceiverConfig(tsdbPath));
  await receiver.start();
  return {
    receiver,
    remoteWritePort: receiver.remoteWritePort,
    grpcPort: receiver.grpcPort,
    otherCpuMs: () => 0,
    stop: () => receiver.stop(),
  };
}

/** This script again, in receiver mode: it prints its ports as one JSON line. */
async function startReceiverProcess(tsdbPath: string): Promise<BenchReceiver> {
  const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, process.argv[1], RECEIVER_MODE, tsdbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const ports = JSON.parse(line) as { remoteWritePort: number; grpcPort: number };
  return {
    ...ports,
    otherCpuMs: () => processUsage(child.pid!).cpuSeconds * 1000,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const RECEIVER_MODE = '--receiver-only';

async function receiverOnly(tsdbPath: string): Promise<void> {
  const r = await startReceiver(tsdbPath);
  console.log(JSON.stringify({ remoteWritePort: r.remoteWritePort, grpcPort: r.grpcPort }));
  await once(process, 'SIGTERM');
  await r.stop();
}

interface BenchQuerier {
  httpPort: number;
  lastTiming(): QueryTiming;
  /** CPU time (ms) of the querier and the receiver when they run outside this process. */
  otherCpuMs(): number;
  stop(): Promise<unknown>;
}

const QUERIER_MODE = '--querier-only';

/** This script again, in querier mode: its HTTP port as one JSON line, then one line per query's timing. */
async function startQuerierProcess(grpcPort: number): Promise<BenchQuerier> {
  const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, process.argv[1], QUERIER_MODE, String(grpcPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  const { httpPort } = JSON.parse(line) as { httpPort: number };
  let last: QueryTiming = { fanOutMs: 0, decodeMs: 0, evalMs: 0, series: 0, samples: 0 };
  lines.on('line', (l) => (last = JSON.parse(l) as QueryTiming));
  return {
    httpPort,
    lastTiming: () => last,
    otherCpuMs: () => processUsage(child.pid!).cpuSeconds * 1000,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function querierOnly(grpcPort: number): Promise<void> {
  const { querier } = await startBenchQuerier(grpcPort, (t) => console.log(JSON.stringify(t)));
  console.log(JSON.stringify({ httpPort: querier.httpPort }));
  await once(process, 'SIGTERM');
  await querier.stop();
}

/**
 * The body of a GET on a connection of its own: a kept-alive connection can be closed by the
 * server (idle timeout) while the other system answers a long query, just as it is reused.
 */
function getOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = tempDir('query-bench-');
  const series = dataSet(SERIES);
  console.error(`data: ${series.length} series x ${SAMPLES} samples (${HOURS}h at 15s)`);

  const fromBlocks = HOURS > 2;
  if (fromBlocks) {
    const blocks = await writeBlockData(
      join(dir.path, 'prom', 'data'),
      join(dir.path, 'receive', 'default-tenant'),
      series,
      shape,
    );
    console.error(`wrote ${blocks} blocks for Prometheus and the receiver`);
  } else {
    const omFile = join(dir.path, 'data.om');
    await writeOpenMetrics(series, shape, omFile);
    const made = promtool(['tsdb', 'create-blocks-from', 'openmetrics', omFile, join(dir.path, 'prom', 'data')]);
    if (made.status !== 0) throw new Error(made.stderr);
  }
  const prometheus = await startPrometheus({
    dir: join(dir.path, 'prom'),
    // the blocks stay as written while we measure (no background compaction)
    extraArgs: ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h'],
  });
  const stops: Array<() => Promise<unknown>> = [() => prometheus.kill()];
  try {
    const receiver = SEPARATE_RECEIVER
      ? await startReceiverProcess(join(dir.path, 'receive'))
      : await startReceiver(join(dir.path, 'receive'));
    stops.push(() => receiver.stop());
    if (!fromBlocks) await remoteWrite(receiver.remoteWritePort, series, shape);

    const querier: BenchQuerier = SEPARATE_RECEIVER
      ? await startQuerierProcess(receiver.grpcPort)
      : await startBenchQuerier(receiver.grpcPort).then(({ querier: q, lastTiming }) => ({
          httpPort: q.httpPort,
          lastTiming,
          otherCpuMs: () => 0,
          stop: () => q.stop(),
        }));
    stops.push(() => querier.stop());
    const lastTiming = () => querier.lastTiming();

    const params = (q: string) =>
      new URLSearchParams({ query: q, start: String(START / 1000 + 600), end: String(END / 1000), step: '60' });
    /** Wall time until the whole body arrived, and CPU time of `cpu` meanwhile (parsing comes after). */
    const timed = async (url: string, cpu: () => number) => {
      const c0 = cpu();
      const r0 = receiver.otherCpuMs();
      const t0 = performance.now();
      const text = await getOnNewConnection(url);
      const ms = performance.now() - t0;
      const cpuMs = cpu() - c0;
      const receiverCpuMs = receiver.otherCpuMs() - r0;
      const body = JSON.parse(text) as { status: string; data?: { result: unknown[] }; error?: string };
      if (body.status !== 'success') throw new Error(`${url}: ${body.error}`);
      return { ms, cpuMs, receiverCpuMs, n: body.data!.result.length };
    };
    const ourCpu = SEPARATE_RECEIVER
      ? () => querier.otherCpuMs() + receiver.otherCpuMs()
      : () => {
          const u = process.cpuUsage();
          return (u.user + u.system) / 1000;
        };
    const promCpu = () => processUsage(prometheus.pid).cpuSeconds * 1000;

    const rows: string[] = [
      '| query | result series | ours total ms | fan-out ms | decode+dedup ms | eval ms | Prometheus ms | ours CPU ms | of which receiver process | Prometheus CPU ms |',
      '|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const q of QUERIES.filter((query) => query.includes(process.env.BENCH_QUERY ?? ''))) {
      const ours: Array<QueryTiming & { ms: number; cpuMs: number; receiverCpuMs: number }> = [];
      const theirs: Array<{ ms: number; cpuMs: number }> = [];
      let n = 0;
      for (let r = 0; r < RUNS; r++) {
        const a = await timed(`http://127.0.0.1:${querier.httpPort}/api/v1/query_range?${params(q)}`, ourCpu);
        ours.push({ ...lastTiming(), ms: a.ms, cpuMs: a.cpuMs, receiverCpuMs: a.receiverCpuMs });
        n = a.n;
        theirs.push(await timed(`${prometheus.url}/api/v1/query_range?${params(q)}`, promCpu));
      }
      const pick = (f: (x: (typeof ours)[number]) => number) => median(ours.map(f)).toFixed(0);
      const prom = (f: (x: (typeof theirs)[number]) => number) => median(theirs.map(f)).toFixed(0);
      rows.push(
        `| \`${q}\` | ${n} | ${pick((x) => x.ms)} | ${pick((x) => x.fanOutMs)} | ${pick((x) => x.decodeMs)} | ${pick((x) => x.evalMs)} | ${prom((x) => x.ms)} | ${pick((x) => x.cpuMs)} | ${pick((x) => x.receiverCpuMs)} | ${prom((x) => x.cpuMs)} |`,
      );
    }
    console.log(rows.join('\n'));
  } finally {
    for (const stop of stops.reverse()) await stop();
    dir.cleanup();
  }
}

if (process.argv[2] === RECEIVER_MODE) await receiverOnly(process.argv[3]);
else if (process.argv[2] === QUERIER_MODE) await querierOnly(Number(process.argv[3]));
else await main();
