// XOR decoding as the querier does it: chunks of 120 samples, series by series, decoded with
// decodeXorInto into a request's SampleArena as SampleBuffer.appendXor does (not imported: its
// workspace import would not resolve from this depth in run-bundled), the arena released
// after each round as a finished request releases it. Two data shapes: the query benchmark's
// counters (exact 15 s steps, integer increments) and real-looking scrapes (a few ms of
// jitter, fractional counters). Prints CPU ns per sample, median of the rounds.
// Run: node bench/run-bundled.mjs bench/query/micro/xor-decode-bench.ts
// (BENCH_SERIES: series per round, default 2000, 24 h each; BENCH_ROUNDS, default 9).
import { SampleArena } from '../../../packages/query/src/sample-arena';
import { XorChunkEncoder, decodeXorInto } from '../../../packages/tsdb/src/chunkenc/index';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_CHUNK = 120;
/** 24 h of 15 s samples. */
const CHUNKS_PER_SERIES = 48;
const INTERVAL = 15_000;
const START = 1_700_000_000_000;

type Shape = (series: number, i: number) => { t: number; v: number };

const shapes: Record<string, Shape> = {
  regular: (s, i) => ({ t: START + i * INTERVAL, v: i * (1 + (s % 7)) + (s % 13) }),
  jittered: (s, i) => ({
    t: START + i * INTERVAL + ((i * 7919 + s * 104729) % 23) - 11,
    v: i * (0.25 + (s % 7) * 0.37) + (s % 13),
  }),
};

/** Each series' chunks, packed back to back in one buffer as the chunks of received frames are. */
function buildSeries(shape: Shape): Uint8Array[][] {
  const enc = new XorChunkEncoder();
  const parts: Uint8Array[] = [];
  for (let s = 0; s < SERIES; s++) {
    for (let c = 0; c < CHUNKS_PER_SERIES; c++) {
      enc.reset();
      for (let i = c * PER_CHUNK; i < (c + 1) * PER_CHUNK; i++) {
        const { t, v } = shape(s, i);
        enc.append(t, v);
      }
      parts.push(enc.bytes().slice());
    }
  }
  const frame = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 64);
  let at = 0;
  const chunks = parts.map((p) => {
    frame.set(p, at);
    at += p.length;
    return frame.subarray(at - p.length, at);
  });
  return Array.from({ length: SERIES }, (_, s) => chunks.slice(s * CHUNKS_PER_SERIES, (s + 1) * CHUNKS_PER_SERIES));
}

/** CPU ns per sample of decoding every series once. */
function round(series: Uint8Array[][]): number {
  const arena = new SampleArena();
  const cpu0 = process.cpuUsage();
  for (const chunks of series) {
    const slot = arena.reserve(CHUNKS_PER_SERIES * PER_CHUNK);
    const { timestamps, words, start } = slot;
    let n = start;
    for (const c of chunks) {
      n = decodeXorInto(c, -Infinity, Infinity, n === start ? -Infinity : timestamps[n - 1], timestamps, words, n);
    }
    arena.commit(n - start);
  }
  const cpu = process.cpuUsage(cpu0);
  arena.release();
  return ((cpu.user + cpu.system) * 1000) / (SERIES * CHUNKS_PER_SERIES * PER_CHUNK);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [name, shape] of Object.entries(shapes)) {
  const series = buildSeries(shape);
  const bytes = series.flat().reduce((n, c) => n + c.length, 0);
  const results = Array.from({ length: ROUNDS }, () => round(series));
  console.log(
    `${name} (${(bytes / (SERIES * CHUNKS_PER_SERIES)).toFixed(0)} B/chunk): ${median(results).toFixed(1)} ns/sample (rounds: ${results.map((x) => x.toFixed(0)).join(' ')})`,
  );
}
