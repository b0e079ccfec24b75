import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { walkChunkSegment } from '../chunks';
import { ChunkCutter, SeriesChunkBuilder, computeChunkEndTime, rangeForTimestamp, type BuiltChunk } from './index';

const H = 3600_000;
const om = join(fixturesDir, 'openmetrics-blocks');

/** Per-series samples of the fixture dump, in dump (= sorted label) order; values as text. */
function dumpSeries(): Array<{ labels: string; ts: number[]; vals: string[] }> {
  const out: Array<{ labels: string; ts: number[]; vals: string[] }> = [];
  for (const line of readFileSync(join(om, 'expected-dump.txt'), 'utf8').split('\n')) {
    if (!line) continue;
    const tsAt = line.lastIndexOf(' ');
    const valAt = line.lastIndexOf(' ', tsAt - 1);
    const labels = line.slice(0, valAt);
    if (out.length === 0 || out[out.length - 1].labels !== labels) out.push({ labels, ts: [], vals: [] });
    out[out.length - 1].ts.push(Number(line.slice(tsAt + 1)));
    out[out.length - 1].vals.push(line.slice(valAt + 1, tsAt));
  }
  return out;
}

function parseGoValue(s: string): [number, number] {
  if (s === 'NaN') return [0x7ff80000, 1]; // what Go's ParseFloat returns
  const v = s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [dv.getUint32(0), dv.getUint32(4)];
}

function build(ts: number[], chunkRange = 2 * H): BuiltChunk[] {
  const b = new SeriesChunkBuilder(chunkRange);
  for (const t of ts) expect(b.append(t, 1)).toBe(true);
  return b.finish();
}

const sizes = (chunks: BuiltChunk[]): number[] => chunks.map((c) => c.numSamples);

describe('chunk cutting', () => {
  it('reproduces every chunk of the fixture blocks byte for byte (promtool backfill: 4h chunk range)', () => {
    const series = dumpSeries();
    for (const block of readdirSync(join(om, 'blocks')).sort()) {
      const dir = join(om, 'blocks', block);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { minTime: number; maxTime: number };
      const want = [...walkChunkSegment(readFileSync(join(dir, 'chunks/000001')))].map((c) =>
        Buffer.from(c.chunk.data).toString('hex'),
      );
      const got: string[] = [];
      const builder = new SeriesChunkBuilder(4 * H);
      for (const s of series) {
        s.ts.forEach((t, i) => {
          if (t < meta.minTime || t >= meta.maxTime) return;
          const [hi, lo] = parseGoValue(s.vals[i]);
          builder.appendBits(t, hi, lo);
        });
        for (const c of builder.finish()) got.push(Buffer.from(c.chunk.data).toString('hex'));
      }
      expect(got).toEqual(want);
    }
  });

  it('makes 120-sample chunks at a steady 15s interval from a window start', () => {
    const ts = Array.from({ length: 480 }, (_, i) => 10 * 2 * H + i * 15_000);
    const chunks = build(ts);
    expect(sizes(chunks)).toEqual([120, 120, 120, 120]);
    expect(chunks[1].minTime - chunks[0].minTime).toBe(30 * 60_000);
  });

  it('never lets a chunk cross the end of the aligned chunk-range window', () => {
    const start = 5 * 2 * H - 10 * 60_000; // 10 minutes before a boundary
    const ts = Array.from({ length: 100 }, (_, i) => start + i * 15_000);
    const chunks = build(ts);
    expect(sizes(chunks)).toEqual([40, 60]);
    expect(chunks[1].minTime).toBe(5 * 2 * H);
  });

  it('re-estimates the end after 30 samples: 129 samples for the fixture start at 00:47:30', () => {
    const start = 1672534050000;
    const chunks = build(
      Array.from({ length: 300 }, (_, i) => start + i * 30_000),
      4 * H,
    );
    expect(chunks[0].numSamples).toBe(129);
    const nextAt = computeChunkEndTime(start, start + 29 * 30_000, rangeForTimestamp(start, 4 * H));
    expect(chunks[1].minTime).toBeGreaterThanOrEqual(nextAt);
    expect(chunks[1].minTime - 30_000).toBeLessThan(nextAt);
  });

  it('cuts at 240 samples when the rate rises after the estimate', () => {
    const ts: number[] = [];
    let t = 2 * H;
    for (let i = 0; i < 31; i++) ts.push((t += 60_000));
    for (let i = 0; i < 500; i++) ts.push((t += 100));
    const chunks = build(ts);
    expect(chunks[0].numSamples).toBe(240);
    expect(chunks[1].numSamples).toBeLessThanOrEqual(240);
    expect(sizes(chunks).reduce((a, b) => a + b)).toBe(531);
  });

  it('uses a longer chunk when the 30-sample estimate leaves no room for two', () => {
    // 30 samples spanning more than a quarter of the window: n <= 1, so the window end stays.
    const ts = Array.from({ length: 80 }, (_, i) => 2 * H + i * 60_000);
    expect(sizes(build(ts))).toEqual([80]);
  });

  it('handles irregular intervals and negative timestamps with Go truncating division', () => {
    expect(rangeForTimestamp(-1, 2 * H)).toBe(2 * H);
    expect(rangeForTimestamp(-2 * H - 1, 2 * H)).toBe(0);
    expect(computeChunkEndTime(0, 435_000, 2 * H)).toBe(1_800_000);
    expect(computeChunkEndTime(0, 2 * H, 2 * H)).toBe(2 * H);
    // Truncation toward zero: the window of -3h ends at 0, not at -2h, so one chunk spans -3h..-1h.
    const ts = [-3 * H, -3 * H + 1, -H - 5, -H + 100_000, 0, 1];
    expect(sizes(build(ts))).toEqual([4, 2]);
  });

  it('refuses out-of-order and duplicate timestamps without changing the chunk', () => {
    const b = new SeriesChunkBuilder();
    expect(b.append(1000, 1)).toBe(true);
    expect(b.append(1000, 2)).toBe(false);
    expect(b.append(999, 2)).toBe(false);
    expect(b.head?.numSamples).toBe(1);
  });

  it('reports chunk starts sample by sample', () => {
    const c = new ChunkCutter(2 * H);
    expect(c.add(0)).toBe(true);
    expect(c.add(1)).toBe(false);
    expect(c.add(2 * H)).toBe(true);
    expect(c.numSamples).toBe(1);
  });
});
