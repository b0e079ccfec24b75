// Ingest benchmark: our receiver vs Prometheus 2.42's remote-write receiver, started alternately in the same run on
// fresh data directories and fed the same pre-encoded remote_write load. Server CPU time and RSS come from /proc,
// so the figures hold on a shared machine where wall time does not.
//
// node bench/run-bundled.mjs bench/ingest/ingest-bench.ts [--reps 3] [--sizes 10000x20,100000x10]
//   [--per-request 2000] [--connections 4] [--only ours|prometheus] [--no-fsync] [--no-replay]
import { parseArgs } from 'node:util';
import { processUsage, tempDir } from '../../packages/testkit/src/index';
import { planLoad, runLoad, type LoadPlan } from '../remote-write/loadgen';
import { replayRate, startServer, walBytes, type ServerKind, type StartOptions } from './servers';
import { formatStats, summarize } from './stats';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '10000x20,100000x10' },
    'per-request': { type: 'string', default: '2000' },
    connections: { type: 'string', default: '4' },
    only: { type: 'string' },
    'no-fsync': { type: 'boolean', default: false },
    'no-replay': { type: 'boolean', default: false },
  },
});

interface Run {
  samplesPerSecond: number;
  samplesPerCpuSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssPerSeries: number;
  walBytesPerSample: number;
  /** Samples per CPU-second of WAL replay (restart CPU to ready minus a fresh start's), and the log line's rate. */
  replayPerCpuSecond?: number;
  replayLogRate?: number;
}

const STEP_MS = 15_000;
const SETTLE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(
  kind: ServerKind,
  plan: LoadPlan,
  seriesCount: number,
  options: StartOptions & { replay?: boolean },
): Promise<Run> {
  const dir = tempDir(`ingest-bench-${kind}-`);
  try {
    const server = await startServer(kind, dir.path, options);
    let startupCpu = 0;
    let run: Run;
    try {
      await sleep(SETTLE_MS);
      const before = processUsage(server.proc.pid);
      startupCpu = before.cpuSeconds;
      const result = await runLoad({ url: server.writeUrl, plan });
      if (result.failed > 0) throw new Error(`${kind}: ${result.failed} failed requests: ${result.errorSamples[0]}`);
      await sleep(SETTLE_MS);
      const after = processUsage(server.proc.pid);
      const cpu = after.cpuSeconds - before.cpuSeconds;
      run = {
        samplesPerSecond: result.samplesPerSecond,
        samplesPerCpuSecond: result.samples / cpu,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        rssPerSeries: (after.rssBytes - before.rssBytes) / seriesCount,
        walBytesPerSample: walBytes(server.dataDir) / result.samples,
      };
    } finally {
      // a crash leaves the WAL to replay; a clean stop would make our receiver flush its head to a block first
      await (options.replay ? server.proc.kill() : server.proc.stop());
    }
    if (options.replay) {
      const again = await startServer(kind, dir.path, options);
      try {
        const replayCpu = processUsage(again.proc.pid).cpuSeconds - startupCpu;
        run.replayPerCpuSecond = replayCpu > 0 ? plan.totalSamples / replayCpu : undefined;
        run.replayLogRate = replayRate(kind, again.proc.output(), plan.totalSamples);
      } finally {
        await again.proc.stop();
      }
    }
    return run;
  } finally {
    dir.cleanup();
  }
}

function report(label: string, runs: Run[]): void {
  const row = (name: string, pick: (r: Run) => number | undefined, digits = 0) => {
    const xs = runs.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (xs.length > 0) console.log(`  ${name.padEnd(28)} ${formatStats(summarize(xs), digits)}`);
  };
  console.log(`${label} (${runs.length} runs: min / median / max)`);
  row('samples/s (wall)', (r) => r.samplesPerSecond);
  row('samples per server CPU-s', (r) => r.samplesPerCpuSecond);
  row('p50 latency ms', (r) => r.p50Ms, 1);
  row('p99 latency ms', (r) => r.p99Ms, 1);
  row('RSS growth B/series', (r) => r.rssPerSeries);
  row('WAL bytes/sample', (r) => r.walBytesPerSample, 2);
  row('replay samples per CPU-s', (r) => r.replayPerCpuSecond);
  row('replay samples/s (log)', (r) => r.replayLogRate);
}

const reps = Number(values.reps);
const kinds: ServerKind[] = values.only ? [values.only as ServerKind] : ['ours', 'prometheus'];
for (const size of values.sizes!.split(',')) {
  const [seriesCount, samplesPerSeries] = size.split('x').map(Number);
  const plan = planLoad(
    {
      seriesCount,
      samplesPerSeries,
      seriesPerRequest: Number(values['per-request']),
      startMs: Date.now() - samplesPerSeries * STEP_MS,
      stepMs: STEP_MS,
    },
    Number(values.connections),
  );
  console.log(
    `\n== ${seriesCount} series x ${samplesPerSeries} samples: ${plan.shards.reduce((n, s) => n + s.bodies.length, 0)} ` +
      `requests, ${plan.totalSamples} samples, ${(plan.totalBytes / 1e6).toFixed(1)} MB snappy, ${plan.shards.length} connections`,
  );
  const runs = new Map<string, Run[]>();
  const add = (label: string, r: Run) => {
    // each run is printed as it completes, so that an interrupted run still yields its figures
    console.log(
      `  ${label}: ${JSON.stringify(r, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))}`,
    );
    runs.set(label, [...(runs.get(label) ?? []), r]);
  };
  for (let rep = 0; rep < reps; rep++) {
    // alternate the order so that neither server always runs right after the other's GC/page-cache aftermath
    const order = rep % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) add(kind, await measure(kind, plan, seriesCount, { replay: !values['no-replay'] }));
    if (!values['no-fsync'] && kinds.includes('ours')) {
      add('ours --tsdb.wal-fsync', await measure('ours', plan, seriesCount, { walFsync: true }));
    }
    process.stdout.write(`  rep ${rep + 1}/${reps} done\n`);
  }
  for (const [label, rs] of runs) report(label, rs);
}
