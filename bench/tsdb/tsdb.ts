// TSDB benchmarks: XOR encode/decode, index write and postings lookup, and
// `create-blocks-from openmetrics` ours (in-process) vs promtool (child process).
// Run: npx vite-node bench/tsdb/tsdb.ts   (not part of CI; prints a Markdown table)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Block,
  IndexWriter,
  XorChunkEncoder,
  XorChunkIterator,
  collectSymbols,
  compareLabels,
  labelsFromRecord,
  newMatcher,
  IndexReader,
  BufferByteSource,
  type Labels,
} from '../../packages/tsdb/src/index';
import { createBlocksFromOpenMetrics, dumpSamples } from '../../packages/cli/src/tools-tsdb';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures/openmetrics-blocks');
const rows: string[][] = [];
const report = (what: string, value: string) => {
  rows.push([what, value]);
  console.log(`${what}: ${value}`);
};
const rate = (n: number, ms: number) => `${(((n / ms) * 1000) / 1e6).toFixed(2)} M/s`;

interface Samples {
  /** Series boundaries: samples of series i are [starts[i], starts[i+1]). */
  starts: number[];
  t: Float64Array;
  hi: Uint32Array;
  lo: Uint32Array;
}

async function fixtureSamples(): Promise<Samples> {
  const t: number[] = [];
  const hi: number[] = [];
  const lo: number[] = [];
  const starts: number[] = [];
  const blocksDir = join(fixtures, 'blocks');
  for (const ulid of readdirSync(blocksDir)) {
    const b = await Block.open(join(blocksDir, ulid));
    for (const ref of await b.index.allPostings()) {
      for (const m of (await b.index.series(ref)).chunks) {
        starts.push(t.length);
        const it = new XorChunkIterator((await b.chunks.chunk(m.ref)).data);
        while (it.next()) {
          t.push(it.t);
          hi.push(it.vHi);
          lo.push(it.vLo);
        }
      }
    }
    await b.close();
  }
  starts.push(t.length);
  return { starts, t: Float64Array.from(t), hi: Uint32Array.from(hi), lo: Uint32Array.from(lo) };
}

/** 1000 series × 1000 samples: 15 s scrapes with jitter, counters and gauges. */
function syntheticSamples(series = 1000, perSeries = 1000): Samples {
  const n = series * perSeries;
  const t = new Float64Array(n);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const f = new Float64Array(1);
  const w = new Uint32Array(f.buffer);
  const starts: number[] = [];
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  for (let s = 0; s < series; s++) {
    starts.push(s * perSeries);
    let v = 0;
    for (let i = 0; i < perSeries; i++) {
      const k = s * perSeries + i;
      t[k] = 1_672_531_200_000 + i * 15_000 + Math.floor(rnd() * 20);
      v = s % 2 === 0 ? v + Math.floor(rnd() * 100) : Math.round(rnd() * 1e4) / 100;
      f[0] = v;
      hi[k] = w[1];
      lo[k] = w[0];
    }
  }
  starts.push(n);
  return { starts, t, hi, lo };
}

/** Encodes every series in chunks of at most 120 samples; returns the chunks. */
function encodeAll(s: Samples): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < s.starts.length; i++) {
    let enc = new XorChunkEncoder();
    for (let k = s.starts[i]; k < s.starts[i + 1]; k++) {
      if (enc.numSamples === 120) {
        out.push(enc.bytes().slice());
        enc = new XorChunkEncoder();
      }
      enc.appendBits(s.t[k], s.hi[k], s.lo[k]);
    }
    if (enc.numSamples > 0) out.push(enc.bytes().slice());
  }
  return out;
}

function benchXor(name: string, s: Samples): void {
  const n = s.t.length;
  let chunks: Uint8Array[] = [];
  const reps = Math.max(1, Math.round(2e6 / n));
  let t0 = performance.now();
  for (let r = 0; r < reps; r++) chunks = encodeAll(s);
  const encMs = (performance.now() - t0) / reps;
  const bytes = chunks.reduce((a, c) => a + c.length, 0);
  const it = new XorChunkIterator();
  let count = 0;
  t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    for (const c of chunks) {
      it.reset(c);
      while (it.next()) count++;
    }
  }
  const decMs = (performance.now() - t0) / reps;
  if (count !== n * reps) throw new Error(`decoded ${count} of ${n * reps} samples`);
  report(`${name}: XOR encode (${n} samples)`, rate(n, encMs));
  report(`${name}: XOR decode`, rate(n, decMs));
  report(`${name}: bytes/sample`, (bytes / n).toFixed(3));
}

async function benchIndex(series: number): Promise<void> {
  const labels: Labels[] = [];
  for (let i = 0; i < series; i++) {
    labels.push(
      labelsFromRecord({
        __name__: `metric_${i % 100}`,
        instance: `host-${Math.floor(i / 100) % 1000}:9100`,
        job: `job-${i % 7}`,
        pod: `pod-${i}`,
      }),
    );
  }
  labels.sort(compareLabels);
  const t0 = performance.now();
  const { writer, sink } = IndexWriter.inMemory();
  writer.addSymbols(collectSymbols(labels));
  labels.forEach((ls, i) => writer.addSeries(ls, [{ ref: 8 + i * 100, mint: 0, maxt: 1000 }]));
  writer.close();
  const writeMs = performance.now() - t0;
  report(`index write (${series} series, ${(sink.bytes().length / 1e6).toFixed(1)} MB)`, `${writeMs.toFixed(0)} ms`);
  const reader = await IndexReader.open(new BufferByteSource(sink.bytes()));
  const queries = [
    [newMatcher('=', '__name__', 'metric_7')],
    [newMatcher('=', '__name__', 'metric_7'), newMatcher('=', 'job', 'job-3')],
    [newMatcher('=~', 'instance', 'host-1.*'), newMatcher('!=', 'job', 'job-1')],
  ];
  for (const q of queries) {
    let found = 0;
    const reps = 20;
    const t1 = performance.now();
    for (let r = 0; r < reps; r++) found = (await reader.postingsForMatchers(q)).length;
    report(`postings lookup {${q.join(', ')}} → ${found} series`, `${((performance.now() - t1) / reps).toFixed(2)} ms`);
  }
}

function syntheticOpenMetrics(series: number, perSeries: number): string {
  const lines: string[] = ['# TYPE bench_metric gauge'];
  for (let i = 0; i < perSeries; i++) {
    const ts = 1_672_531_200 + i * 15;
    for (let s = 0; s < series; s++)
      lines.push(`bench_metric{instance="host-${s}",job="bench"} ${(s * 7 + i) % 1000} ${ts}`);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

/** Wall and CPU seconds of a promtool run (via /usr/bin/time), output discarded. */
function timePromtool(args: string[]): string {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', 'promtool', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const [e, u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return `wall ${e.toFixed(2)} s, CPU ${(u + s).toFixed(2)} s`;
}

async function timeInProcess(run: () => Promise<unknown>): Promise<string> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const cpu = process.cpuUsage(cpu0);
  return `wall ${((performance.now() - t0) / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`;
}

async function benchCreateBlocksAndDump(name: string, input: string): Promise<void> {
  const ours = mkdtempSync(join(tmpdir(), 'bench-ours-'));
  const theirs = mkdtempSync(join(tmpdir(), 'bench-theirs-'));
  try {
    report(
      `${name}: create-blocks-from openmetrics, ours (in-process)`,
      await timeInProcess(() => createBlocksFromOpenMetrics(input, ours, { quiet: true }, () => {})),
    );
    report(
      `${name}: create-blocks-from openmetrics, promtool`,
      timePromtool(['tsdb', 'create-blocks-from', 'openmetrics', '-q', input, theirs]),
    );
    mkdirSync(join(ours, 'wal'));
    report(`${name}: tsdb dump, ours (in-process)`, await timeInProcess(() => dumpSamples(ours, {}, () => {})));
    report(`${name}: tsdb dump, promtool`, timePromtool(['tsdb', 'dump', ours]));
  } finally {
    rmSync(ours, { recursive: true, force: true });
    rmSync(theirs, { recursive: true, force: true });
  }
}

benchXor('fixture', await fixtureSamples());
benchXor('synthetic 1M', syntheticSamples());
await benchIndex(100_000);
await benchCreateBlocksAndDump('fixture input.om (17k samples)', join(fixtures, 'input.om'));
const synthetic = join(mkdtempSync(join(tmpdir(), 'bench-om-')), 'input.om');
writeFileSync(synthetic, syntheticOpenMetrics(1000, 1000));
await benchCreateBlocksAndDump('synthetic 1M samples (1000 series)', synthetic);
rmSync(join(synthetic, '..'), { recursive: true, force: true });

console.log(
  `\n${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}\n`,
);
console.log('| measurement | result |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
