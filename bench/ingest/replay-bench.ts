// WAL replay alone: writes a WAL with our head (the ingest benchmark's series and request shape: one time step
// of a 2000-series slice per commit, snappy-compressed records), then replays it in fresh node processes (cold
// code, as at a receiver's start) and reports the replay's own CPU time, without process startup.
//
// node bench/run-bundled.mjs bench/ingest/replay-bench.ts [--size 10000x20] [--reps 5] [--cpu-prof]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tempDir } from '../../packages/testkit/src/index';
import { appendFloat, Head, replayHeadWal, Tsdb, type MemSeries } from '../../packages/tsdb/src/index';
import { generateSeries } from '../remote-write/series-generator';
import { summarize, formatStats } from './stats';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '10000x20' },
    reps: { type: 'string', default: '5' },
    'per-request': { type: 'string', default: '2000' },
    'cpu-prof': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

async function writeWal(dir: string, seriesCount: number, steps: number, perRequest: number): Promise<number> {
  const db = await Tsdb.open(dir);
  const series = generateSeries(seriesCount);
  const mem: (MemSeries | undefined)[] = [];
  let samples = 0;
  for (let k = 0; k < steps; k++) {
    for (let from = 0; from < seriesCount; from += perRequest) {
      const app = db.head.appender();
      for (let i = from; i < Math.min(from + perRequest, seriesCount); i++) {
        const s = (mem[i] ??= app.getOrCreate(series[i].labels));
        appendFloat(app, s, 1_700_000_000_000 + k * 15_000, Math.round(Math.random() * 1e6) / 100);
        samples++;
      }
      app.commit();
    }
  }
  await db.wal.close();
  return samples;
}

/** In a fresh process: replays `dir`'s WAL into a new head; prints the CPU seconds the replay took. */
async function child(dir: string): Promise<void> {
  const head = await Head.create();
  const before = process.cpuUsage();
  const stats = replayHeadWal(head, join(dir, 'wal'));
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ cpuSeconds: (used.user + used.system) / 1e6, samples: stats.samples }));
}

async function main(): Promise<void> {
  if (values.child) return child(values.child);
  const [seriesCount, steps] = values.size.split('x').map(Number);
  const dir = tempDir('replay-bench-');
  try {
    const samples = await writeWal(dir.path, seriesCount, steps, Number(values['per-request']));
    console.log(`${values.size}: ${samples} samples in the WAL`);
    const rates: number[] = [];
    for (let r = 0; r < Number(values.reps); r++) {
      const flags = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${dir.path}/prof`] : [];
      const run = spawnSync(process.execPath, [...flags, process.argv[1], '--child', dir.path], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`replay child failed: ${run.stderr}`);
      const out = JSON.parse(run.stdout) as { cpuSeconds: number; samples: number };
      rates.push(out.samples / out.cpuSeconds);
      console.log(
        `  replay: ${out.cpuSeconds.toFixed(3)} CPU-s, ${Math.round(out.samples / out.cpuSeconds)} samples per CPU-s`,
      );
    }
    if (rates.length > 0) console.log(`  samples per CPU-s (min / median / max): ${formatStats(summarize(rates))}`);
    if (values['cpu-prof']) console.log(`  profiles kept in ${dir.path}/prof (not removed)`);
  } finally {
    if (!values['cpu-prof']) dir.cleanup();
  }
}

await main();
