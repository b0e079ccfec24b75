// Ingest cost of a receive ring against a single receiver: samples per CPU-second summed over
// every receiver process (CPU from /proc, so the load generator's own work is not counted).
// npx vite-node bench/receive-ring/ring-bench.ts -- [--series 60000] [--samples 10] [--per-request 1000]
//   [--connections 1] [--reps 3] [--setups single,rf1,rf3] [--idle-seconds 5] [--cpu-prof DIR]
//   [--warmup-series 20000] [--warmup-samples 3] [--baseline DIR] [--trace-gc] [--node-flags="--flag ..."] [--pin CPUS]
// --baseline DIR: a copy of the source tree with other code (e.g. the previous version of the
// router); every setup then also runs on its CLI, alternating, and the rows say which ran.
// Setups: single, rf1, rf3, and two floors without any routing: split (three independent
// receivers, each fed a third of the load) and copies (three independent receivers, each fed
// all of it: what RF=3 costs before routing and forwarding).
// --trace-gc: count and pause time of each kind of GC in the receivers during the load (with
// GC_LOG=PREFIX in the environment, their GC log is written to PREFIX-<setup>.log);
// --node-flags: more node flags for the receivers (space-separated, as one argument);
// --pin: run the receivers under `taskset -c CPUS`.
// --threads: CPU of the receivers' main threads and of their other threads (GC helpers, libuv pool).
// --perf DIR: `perf record -g` on every receiver during the load (DIR/<setup>/<pid>.data), CPU time
// of all threads; `node bench/receive-ring/perf-stages.mjs DIR/<setup>` splits it by stage.
// --warmup-samples N: samples per warm-up series (default 3): more warm-up requests without more series.
// Setups alternate within each repetition, so that a change in the machine's load hits all of them.
// The CLI is bundled once into a private file, so concurrent builds by others do not change it mid-run.
import { bundle, REQUIRE_BANNER } from '../../scripts/bundle.mjs';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  freePort,
  repoRoot,
  startProcess,
  tempDir,
  waitForHttpOk,
  type RunningProcess,
} from '../../packages/testkit/src/index';
import { planLoad, runLoad, type LoadPlan } from '../remote-write/loadgen';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    series: { type: 'string', default: '60000' },
    samples: { type: 'string', default: '10' },
    'per-request': { type: 'string', default: '1000' },
    connections: { type: 'string', default: '1' },
    reps: { type: 'string', default: '1' },
    setups: { type: 'string', default: 'single,rf1,rf3' },
    'idle-seconds': { type: 'string', default: '0' },
    'warmup-series': { type: 'string', default: '0' },
    'warmup-samples': { type: 'string', default: '3' },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
    pin: { type: 'string' },
    'trace-gc': { type: 'boolean', default: false },
    threads: { type: 'boolean', default: false },
    perf: { type: 'string' },
    'node-flags': { type: 'string', default: '' },
  },
});

interface Setup {
  key: string;
  name: string;
  size: number;
  rf: number;
  /**
   * False: the receivers are independent ingestors, no routing at all; each is fed its own third
   * of the load at rf 1, the whole load at rf 3 (the CPU floor of three processes storing it).
   */
  ring: boolean;
}

const SETUPS: Setup[] = [
  { key: 'single', name: '1 receiver (ingestor only)', size: 1, rf: 1, ring: true },
  { key: 'split', name: '3 receivers, no ring', size: 3, rf: 1, ring: false },
  { key: 'rf1', name: '3 receivers, RF=1', size: 3, rf: 1, ring: true },
  { key: 'rf3', name: '3 receivers, RF=3', size: 3, rf: 3, ring: true },
  { key: 'copies', name: '3 receivers, no ring, each fed everything', size: 3, rf: 3, ring: false },
];

interface Member {
  proc: RunningProcess;
  url: string;
}

/** Bundles the CLI of the source tree at `root` (workspace packages taken from there too). */
function bundleCli(root: string, name: string): Promise<string> {
  return bundle({
    entry: join(root, 'packages', 'cli', 'src', 'main.ts'),
    // inside the repository, so that third-party packages resolve from its node_modules
    outfile: join(repoRoot, 'bench', 'receive-ring', `.ring-cli-${name}-${process.pid}.mjs`),
    sourceRoot: root,
    banner: REQUIRE_BANNER,
  });
}

async function startRing(cli: string, dir: string, setup: Setup): Promise<Member[]> {
  const { size, rf, ring: inRing } = setup;
  mkdirSync(dir, { recursive: true });
  const grpc = await Promise.all(Array.from({ length: size }, () => freePort()));
  const file = join(dir, 'hashrings.json');
  if (size > 1 && inRing) writeFileSync(file, JSON.stringify([{ endpoints: grpc.map((p) => `127.0.0.1:${p}`) }]));
  const profDir = values['cpu-prof'];
  if (profDir) mkdirSync(join(profDir, setup.key), { recursive: true });
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, setup.key)}`] : [];
  if (values['trace-gc']) nodeArgs.push('--trace-gc');
  if (values.perf) nodeArgs.push('--perf-basic-prof');
  nodeArgs.push(...values['node-flags'].split(' ').filter(Boolean));
  const started: RunningProcess[] = [];
  const members = await Promise.allSettled(
    grpc.map(async (g, i) => {
      const rw = await freePort();
      const http = await freePort();
      const ring =
        size > 1 && inRing
          ? [
              `--receive.hashrings-file=${file}`,
              `--receive.local-endpoint=127.0.0.1:${g}`,
              `--receive.replication-factor=${rf}`,
            ]
          : [];
      const pin = values.pin ? ['-c', values.pin, process.execPath] : [];
      const proc = startProcess(values.pin ? 'taskset' : process.execPath, [
        ...pin,
        ...nodeArgs,
        cli,
        'receive',
        `--tsdb.path=${join(dir, `r${i}`)}`,
        `--remote-write.address=127.0.0.1:${rw}`,
        `--http-address=127.0.0.1:${http}`,
        `--grpc-address=127.0.0.1:${g}`,
        `--label=receive_replica="${i}"`,
        '--log.level=warn',
        ...ring,
      ]);
      started.push(proc);
      await waitForHttpOk(`http://127.0.0.1:${http}/-/ready`, proc);
      return { proc, url: `http://127.0.0.1:${rw}/api/v1/receive` };
    }),
  );
  const failed = members.find((m) => m.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((p) => p.stop()));
    throw failed.reason;
  }
  return members.map((m) => (m as PromiseFulfilledResult<Member>).value);
}

/** Starts the ring, again on fresh ports when a port picked as free was taken meanwhile (shared machine). */
async function startRingRetrying(cli: string, dir: string, setup: Setup): Promise<Member[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRing(cli, join(dir, `attempt-${attempt}`), setup);
    } catch (err) {
      if (attempt === 3 || !/EADDRINUSE/.test(String(err))) throw err;
      console.error(`  ${setup.name}: a port was taken meanwhile; starting again`);
    }
  }
}

/** User and system CPU seconds and context switches of a process, from /proc. */
interface Usage {
  user: number;
  system: number;
  switches: number;
}

function usageOf(pid: number): Usage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const count = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return {
    user: Number(fields[11]) / 100,
    system: Number(fields[12]) / 100,
    switches: count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches'),
  };
}

/**
 * `perf record` attached to every member for the load window only: CPU samples of all threads
 * (V8's profiler samples wall time while not idle, which on a loaded machine counts time spent
 * waiting for a core). JIT frames are named from the /tmp/perf-PID.map of `--perf-basic-prof`.
 */
async function startPerf(dir: string, setup: Setup, members: Member[]): Promise<RunningProcess[]> {
  mkdirSync(join(dir, setup.key), { recursive: true });
  const perfs = members.map((m) =>
    startProcess('perf', [
      'record',
      '-F',
      '499',
      '-g',
      '-p',
      String(m.proc.pid),
      '-o',
      join(dir, setup.key, `${m.proc.pid}.data`),
    ]),
  );
  await sleep(500); // perf needs a moment to attach
  return perfs;
}

/** CPU seconds of the main threads and of the other threads, summed over processes. */
function threadCpu(members: Member[]): Map<string, number> {
  const byName = new Map<string, number>();
  for (const m of members) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${m.proc.pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${m.proc.pid}/task/${t}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      // every thread of node is called `node`: tell the main thread from the helpers (GC, libuv pool)
      const name = t === String(m.proc.pid) ? 'main' : 'helpers';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    }
  }
  return byName;
}

/** The members' usage summed. */
function usage(members: Member[]): Usage {
  const total = { user: 0, system: 0, switches: 0 };
  for (const m of members) {
    const u = usageOf(m.proc.pid);
    total.user += u.user;
    total.system += u.system;
    total.switches += u.switches;
  }
  return total;
}

const cpuOf = (members: Member[]) => {
  const u = usage(members);
  return u.user + u.system;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

interface Measurement {
  samples: number;
  failed: number;
  cpu: number;
  systemCpu: number;
  switches: number;
  idleCpuPerSecond: number;
  wallSeconds: number;
}

/** Count and pause time of each kind of GC in `--trace-gc` output. */
function gcSummary(log: string): string {
  const kinds = new Map<string, { count: number; ms: number }>();
  for (const m of log.matchAll(
    /: (Scavenge|Mark-Compact|Mark-Compact \(reduce\)|Minor Mark-Compact)[^,]*, ([\d.]+) \/ [\d.]+ ms/g,
  )) {
    const k = kinds.get(m[1]) ?? { count: 0, ms: 0 };
    k.count++;
    k.ms += Number(m[2]);
    kinds.set(m[1], k);
  }
  return [...kinds].map(([kind, { count, ms }]) => `${kind} ${count}x ${ms.toFixed(0)} ms`).join(', ');
}

/** Every receiver gets an equal share of the requests, as behind a load balancer. */
function sendEvenly(members: Member[], plan: LoadPlan, tenant?: string) {
  const shares = members.map((_, i) => ({ ...plan, shards: plan.shards.filter((_, s) => s % members.length === i) }));
  return Promise.all(members.map((m, i) => runLoad({ url: m.url, plan: shares[i], tenant })));
}

async function measure(cli: string, setup: Setup, plan: LoadPlan): Promise<Measurement> {
  const dir = tempDir('ring-bench-');
  const members = await startRingRetrying(cli, dir.path, setup);
  let window: { started: number; ended: number } | undefined;
  try {
    // the CPU an idle member burns (timers, watchers, keep-alives), over the members together
    const idleSeconds = Number(values['idle-seconds']);
    let idleCpuPerSecond = 0;
    if (idleSeconds > 0) {
      await sleep(1000);
      const idle0 = cpuOf(members);
      await sleep(idleSeconds * 1000);
      idleCpuPerSecond = (cpuOf(members) - idle0) / idleSeconds;
    }
    if (warmup) await sendEvenly(members, warmup, 'warmup');
    const outputBefore = members.map((m) => m.proc.output().length);
    const before = usage(members);
    const threadsBefore = values.threads ? threadCpu(members) : undefined;
    const perfs = values.perf ? await startPerf(values.perf, setup, members) : [];
    const started = performance.now();
    const copies = !setup.ring && setup.rf > 1;
    const results = copies
      ? await Promise.all(members.map((m) => runLoad({ url: m.url, plan })))
      : await sendEvenly(members, plan);
    const ended = performance.now();
    const after = usage(members);
    await Promise.all(perfs.map((p) => p.stop(30_000)));
    if (threadsBefore) {
      const threads = [...threadCpu(members)].map(
        ([name, cpu]) => [name, cpu - (threadsBefore.get(name) ?? 0)] as const,
      );
      const shown = threads.filter(([, cpu]) => cpu > 0).sort((a, b) => b[1] - a[1]);
      console.error(`  ${setup.name}: CPU s by thread: ${shown.map(([n, c]) => `${n} ${c.toFixed(2)}`).join(', ')}`);
    }
    if (values['trace-gc']) {
      const log = members.map((m, i) => m.proc.output().slice(outputBefore[i])).join('\n');
      console.error(`  ${setup.name}: GC during the load: ${gcSummary(log)}`);
      if (process.env.GC_LOG) writeFileSync(`${process.env.GC_LOG}-${setup.key}.log`, log);
    }
    const cpu = after.user + after.system - before.user - before.system;
    const wallSeconds = (ended - started) / 1000;
    for (const r of results) for (const e of r.errorSamples.slice(0, 3)) console.error(`  ${setup.name}: ${e}`);
    window = { started, ended };
    return {
      // a copy is a replica: count the load once, as the ring's acknowledged samples
      samples: sum(results.map((r) => r.samples)) / (copies ? setup.rf : 1),
      failed: sum(results.map((r) => r.failed)),
      cpu,
      systemCpu: after.system - before.system,
      switches: after.switches - before.switches,
      idleCpuPerSecond,
      wallSeconds,
    };
  } finally {
    // a profile is written at exit, after the shutdown flush: give that time
    const exits = await Promise.all(
      members.map(async (m) => {
        await m.proc.stop(values['cpu-prof'] ? 120_000 : 10_000);
        return performance.now();
      }),
    );
    const profDir = values['cpu-prof'];
    if (profDir && window) {
      // The load's time window in each profile, counted back from its end (the profile stops at
      // exit; its start lags the spawn by a start-up time that varies with the machine's load).
      const { started, ended } = window;
      const windows = Object.fromEntries(members.map((m, i) => [m.proc.pid, [exits[i] - started, exits[i] - ended]]));
      writeFileSync(join(profDir, setup.key, `windows-${members[0].proc.pid}.json`), JSON.stringify(windows));
    }
    dir.cleanup();
  }
}

const samplesPerSeries = Number(values.samples);
const stepMs = 15_000;
const plan = planLoad(
  {
    seriesCount: Number(values.series),
    samplesPerSeries,
    seriesPerRequest: Number(values['per-request']),
    startMs: Date.now() - (samplesPerSeries - 1) * stepMs,
    stepMs,
  },
  Number(values.connections) * 3,
);
// Sent to another tenant before measuring, so that every process has compiled its hot code
// (a ring member does a third of the work, so start-up costs weigh three times as much).
const warmupSeries = Number(values['warmup-series']);
const warmup =
  warmupSeries > 0
    ? planLoad(
        {
          seriesCount: warmupSeries,
          samplesPerSeries: Number(values['warmup-samples']),
          seriesPerRequest: Number(values['per-request']),
          startMs: Date.now() - Number(values['warmup-samples']) * 20_000,
          stepMs,
        },
        Number(values.connections) * 3,
      )
    : undefined;
const setups = values.setups.split(',').map((k) => {
  const s = SETUPS.find((x) => x.key === k);
  if (!s) throw new Error(`unknown setup ${k} (expected ${SETUPS.map((x) => x.key).join(', ')})`);
  return s;
});
const variants = [{ name: 'current', cli: await bundleCli(repoRoot, 'current') }];
if (values.baseline) variants.push({ name: 'baseline', cli: await bundleCli(values.baseline, 'baseline') });
try {
  console.log(`${plan.totalSamples} samples per run, ${plan.shards.length} senders`);
  console.log(
    '| rep | code | setup | acknowledged | failed | wall s | receivers CPU s | of which system | context switches | idle CPU s/s | acknowledged samples / CPU s | stored samples / CPU s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const stored = new Map<string, number[]>();
  for (let rep = 1; rep <= Number(values.reps); rep++) {
    for (const setup of setups) {
      for (const variant of variants) {
        const m = await measure(variant.cli, setup, plan);
        const perCpu = m.samples / m.cpu;
        const key = `${variant.name} ${setup.key}`;
        stored.set(key, [...(stored.get(key) ?? []), perCpu * setup.rf]);
        console.log(
          `| ${rep} | ${variant.name} | ${setup.name} | ${m.samples} | ${m.failed} | ${m.wallSeconds.toFixed(1)} | ${m.cpu.toFixed(2)} | ${m.systemCpu.toFixed(2)} | ${m.switches} | ${m.idleCpuPerSecond.toFixed(3)} | ${Math.round(perCpu)} | ${Math.round(perCpu * setup.rf)} |`,
        );
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const variant of variants) {
    const single = stored.get(`${variant.name} single`);
    if (!single) continue;
    for (const key of ['split', 'rf1', 'rf3', 'copies']) {
      const other = stored.get(`${variant.name} ${key}`);
      if (!other) continue;
      const ratios = other.map((v, i) => single[i] / v - 1);
      const perRep = ratios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ');
      console.log(
        `${variant.name}: routing + forwarding cost per stored sample, ${key}: median ${(median(ratios) * 100).toFixed(0)}% (per rep: ${perRep})`,
      );
    }
  }
} finally {
  for (const { cli } of variants) {
    rmSync(cli, { force: true });
    rmSync(`${cli}.map`, { force: true });
  }
}
