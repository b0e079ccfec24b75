// Compactor benchmark: compaction throughput (samples/s) and peak RSS for compacting
// 4 × 2h blocks, against `promtool tsdb create-blocks-from openmetrics` writing the same
// samples (a reference cost for "read all samples, write blocks"), in the same run.
// Run: SERIES=10000 npx vite-node bench/compact/compact.ts   (not part of CI)
// The compaction runs in a child process so its peak RSS (VmHWM) is its own.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactBlocks, openBlocks } from '../../packages/compact/src/index';
import { compareLabels, labelsFromRecord, writeBlockFromSamples, type Labels } from '../../packages/tsdb/src/index';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const SCRAPE_MS = 60_000;
const BLOCKS = 4;
const PER_BLOCK = (2 * HOUR) / SCRAPE_MS;

function vmHwmBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function seriesLabels(n: number): Labels[] {
  return Array.from({ length: n }, (_, i) =>
    labelsFromRecord({ __name__: `bench_${i % 100}`, instance: `host-${i}`, job: 'bench' }),
  ).sort(compareLabels);
}

/** Deterministic counter value of series `s` at sample index `k` (0 … 4·120). */
function value(s: number, k: number): number {
  return ((s * 7919 + k * 104729) % 1000) + k * 3;
}

async function generate(dir: string, series: number): Promise<void> {
  const labels = seriesLabels(series);
  for (let b = 0; b < BLOCKS; b++) {
    const mint = T0 + b * 2 * HOUR;
    const data = labels.map((l, s) => {
      const timestamps = new Float64Array(PER_BLOCK);
      const values = new Float64Array(PER_BLOCK);
      for (let k = 0; k < PER_BLOCK; k++) {
        timestamps[k] = mint + k * SCRAPE_MS;
        values[k] = value(s, b * PER_BLOCK + k);
      }
      return { labels: l, timestamps, values };
    });
    await writeBlockFromSamples(dir, data, { mint, maxt: mint + 2 * HOUR, fsync: false });
  }
}

async function writeOpenMetrics(path: string, series: number): Promise<void> {
  const labels = seriesLabels(series);
  const out = createWriteStream(path);
  const byName = new Map<string, number[]>();
  labels.forEach((l, s) => {
    const name = l.find((x) => x.name === '__name__')!.value;
    byName.set(name, [...(byName.get(name) ?? []), s]);
  });
  for (const [name, list] of byName) {
    out.write(`# TYPE ${name} gauge\n`);
    for (const s of list) {
      const rest = labels[s]
        .filter((x) => x.name !== '__name__')
        .map((x) => `${x.name}="${x.value}"`)
        .join(',');
      let chunk = '';
      for (let k = 0; k < BLOCKS * PER_BLOCK; k++)
        chunk += `${name}{${rest}} ${value(s, k)} ${(T0 + k * SCRAPE_MS) / 1000}\n`;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  out.write('# EOF\n');
  await new Promise<void>((r) => out.end(r));
}

interface Run {
  ms: number;
  cpuS: number;
  /** Samples read from the inputs. */
  samples: number;
}

/** Compacts the given block directories (a directory listed twice is a fully overlapping replica). */
async function timeCompaction(dirs: string[], out: string, dedup: '' | 'penalty'): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const blocks = await openBlocks(dirs);
  await compactBlocks(blocks, out, { labels: { bench: '1' }, resolution: 0, fsync: false, dedup });
  await Promise.all(blocks.map((b) => b.close()));
  const cpu = process.cpuUsage(cpu0);
  const samples = blocks.reduce((n, b) => n + (b.meta.stats.numSamples ?? 0), 0);
  return { ms: performance.now() - t0, cpuS: (cpu.user + cpu.system) / 1e6, samples };
}

/** Child mode: `child <dir> plain|vertical`; prints one JSON line with the run and peak RSS. */
async function compactChild(dir: string, mode: string): Promise<void> {
  const dirs = readdirSync(dir)
    .filter((d) => /^[0-9A-Z]{26}$/.test(d))
    .map((d) => join(dir, d));
  const run =
    mode === 'vertical'
      ? await timeCompaction([...dirs, ...dirs], join(dir, 'out-vertical'), 'penalty')
      : await timeCompaction(dirs, join(dir, 'out'), '');
  console.log(JSON.stringify({ ...run, rss: vmHwmBytes() }));
}

function runChild(dir: string, mode: string): Run & { rss: number } {
  const child = spawnSync('npx', ['vite-node', import.meta.filename, 'child', dir, mode], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Run & { rss: number };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return compactChild(process.argv[3], process.argv[4]);
  const series = Number(process.env.SERIES ?? 10_000);
  const work = mkdtempSync(join(tmpdir(), 'bench-compact-'));
  try {
    const blocksDir = join(work, 'blocks');
    mkdirSync(blocksDir);
    console.log(`generating ${BLOCKS} × 2h blocks of ${series} series (${PER_BLOCK} samples each per block)…`);
    await generate(blocksDir, series);
    const ours = runChild(blocksDir, 'plain');
    const vertical = runChild(blocksDir, 'vertical');

    const om = join(work, 'input.om');
    await writeOpenMetrics(om, series);
    const promOut = join(work, 'promtool-out');
    const p = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %U %S %M', 'promtool', 'tsdb', 'create-blocks-from', 'openmetrics', om, promOut],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      },
    );
    if (p.status !== 0) throw new Error(p.stderr);
    const [wall, user, sys, maxKb] = p.stderr.trim().split('\n').pop()!.split(' ').map(Number);

    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
    const perf = (r: Run) =>
      `wall ${(r.ms / 1000).toFixed(2)} s, CPU ${r.cpuS.toFixed(2)} s, ${(((r.samples / r.ms) * 1000) / 1e6).toFixed(2)} M samples/s (wall), ${(r.samples / r.cpuS / 1e6).toFixed(2)} M samples/CPU-s`;
    const rows = [
      [
        `compact ${BLOCKS} × 2h blocks, ${series} series, ${ours.samples} samples (ours, compactBlocks)`,
        `${perf(ours)}, peak RSS ${mb(ours.rss)}`,
      ],
      [
        `vertical: 2 fully overlapping replicas of the same 4 blocks, penalty dedup, ${vertical.samples} samples read`,
        `${perf(vertical)}, peak RSS ${mb(vertical.rss)}`,
      ],
      [
        `promtool create-blocks-from openmetrics, same samples`,
        `${perf({ ms: wall * 1000, cpuS: user + sys, samples: ours.samples })}, peak RSS ${mb(maxKb * 1024)}`,
      ],
    ];
    console.log(`\n${cpus().length} cores, Node ${process.version}\n\n| measurement | result |\n|---|---|`);
    for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
