import { join } from 'node:path';
import { Block, BlockQuerier, XorChunkIterator, newMatcher, type Chunk } from '@thanos-ts/tsdb';
import { afterEach, describe, expect, it } from 'vitest';
import { AggrType, EncAggr, decodeAggrChunk, encodeAggrChunk } from '@thanos-ts/storepb';
import {
  RESOLUTION_1H,
  RESOLUTION_5M,
  applyCounterResets,
  downsampleAggrSeries,
  downsampleRawSeries,
} from './downsample';
import { liveBlocks, testBucket, testCompactor, uploadSamplesBlock, type TestBucket } from './testing/bucket-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2024, 0, 1);

/** A counter scraped every `step` ms for `n` samples, reset to 0 at the given sample indices. */
function counter(n: number, step: number, resets: number[]) {
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let v = 100;
  for (let i = 0; i < n; i++) {
    if (resets.includes(i)) v = 0;
    else v += 1 + (i % 7);
    timestamps[i] = T0 + i * step + (i % 3);
    values[i] = v;
  }
  return { timestamps, values };
}

function samplesOf(chunk: Chunk | undefined): [number, number][] {
  if (!chunk) return [];
  const it = new XorChunkIterator(chunk.data);
  const out: [number, number][] = [];
  while (it.next()) out.push([it.t, it.v]);
  return out;
}

interface Window {
  end: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Reset-corrected counter total at the window's last sample. */
  total: number;
}

/** The expected aggregates, computed directly from the raw samples (one window per `res`). */
function expectedWindows(ts: Float64Array, vs: Float64Array, res: number): Window[] {
  const out: Window[] = [];
  let total = 0;
  for (let i = 0; i < ts.length; i++) {
    total = i === 0 ? vs[0] : total + (vs[i] >= vs[i - 1] ? vs[i] - vs[i - 1] : vs[i]);
    const start = Math.floor(ts[i] / res) * res;
    let w = out[out.length - 1];
    if (!w || w.end < start) {
      w = { end: start + res - 1, count: 0, sum: 0, min: Infinity, max: -Infinity, total: 0 };
      out.push(w);
    }
    w.count++;
    w.sum += vs[i];
    w.min = Math.min(w.min, vs[i]);
    w.max = Math.max(w.max, vs[i]);
    w.total = total;
  }
  // The last window is stamped with the last sample's time, not the window end.
  if (out.length) out[out.length - 1].end = ts[ts.length - 1];
  return out;
}

function aggregate(chunks: Chunk[], type: number): [number, number][] {
  return chunks.flatMap((c) => samplesOf(decodeAggrChunk(c.data)[type]));
}

describe('AggrChunk encoding', () => {
  it('round-trips five sub-chunks including absent ones', () => {
    const a = { encoding: 1, data: new Uint8Array([0, 1, 2, 3]) };
    const b = { encoding: 1, data: new Uint8Array(200).fill(7) };
    const enc = encodeAggrChunk([a, undefined, b, undefined, a]);
    expect(enc.encoding).toBe(EncAggr);
    // uvarint(4) enc data | 0 | uvarint(200)=2 bytes enc data | 0 | uvarint(4) enc data
    expect(enc.data.length).toBe(1 + 1 + 4 + 1 + 2 + 1 + 200 + 1 + 1 + 1 + 4);
    const parts = decodeAggrChunk(enc.data);
    expect(parts[0]?.data).toEqual(a.data);
    expect(parts[1]).toBeUndefined();
    expect(parts[2]?.data).toEqual(b.data);
    expect(parts[3]).toBeUndefined();
    expect(parts[4]?.encoding).toBe(1);
    expect(() => decodeAggrChunk(enc.data.subarray(0, 10))).toThrow(/runs past the end/);
  });
});

describe('downsampling raw samples to 5m', () => {
  it('matches count, sum, min, max and the reset-corrected counter computed from the raw samples', () => {
    const raw = counter(480, 15_000, [200]);
    const chunks = downsampleRawSeries(raw, RESOLUTION_5M).map((c) => c.chunk);
    expect(chunks).toHaveLength(1);
    const want = expectedWindows(raw.timestamps, raw.values, RESOLUTION_5M);
    expect(want).toHaveLength(24);
    expect(aggregate(chunks, AggrType.Count)).toEqual(want.map((w) => [w.end, w.count]));
    expect(aggregate(chunks, AggrType.Sum)).toEqual(want.map((w) => [w.end, w.sum]));
    expect(aggregate(chunks, AggrType.Min)).toEqual(want.map((w) => [w.end, w.min]));
    expect(aggregate(chunks, AggrType.Max)).toEqual(want.map((w) => [w.end, w.max]));
    const counterSamples = aggregate(chunks, AggrType.Counter);
    // First raw sample, one value per window, and the last raw value again at the last window.
    expect(counterSamples[0]).toEqual([raw.timestamps[0], raw.values[0]]);
    expect(counterSamples.slice(1, -1)).toEqual(want.map((w) => [w.end, w.total]));
    expect(counterSamples[counterSamples.length - 1]).toEqual([want[23].end, raw.values[479]]);
  });

  it('keeps counters monotonic across chunks, including a reset at a chunk boundary', () => {
    // 48h of 1-minute samples: 576 windows, cut into several chunks.
    const n = 48 * 60;
    const probe = downsampleRawSeries(counter(n, MIN, []), RESOLUTION_5M);
    expect(probe.length).toBeGreaterThan(3);
    // Put a reset on the first sample of the second chunk.
    const firstOfSecond = Math.round((probe[1].minTime - T0) / MIN) - 4;
    const raw = counter(n, MIN, [1000, firstOfSecond]);
    const chunks = downsampleRawSeries(raw, RESOLUTION_5M).map((c) => c.chunk);
    const want = expectedWindows(raw.timestamps, raw.values, RESOLUTION_5M);
    const got = applyCounterResets(chunks.map((c) => decodeAggrChunk(c.data)[AggrType.Counter]!));
    // Windows at chunk ends are stamped with their last sample, so compare at the latest
    // emitted point not after each window's end.
    const at = (t: number) => {
      let i = got.timestamps.length - 1;
      while (i > 0 && got.timestamps[i] > t) i--;
      return got.values[i];
    };
    for (const w of want) expect(at(w.end)).toBe(w.total);
    expect(got.values[got.values.length - 1]).toBe(want[want.length - 1].total);
    expect(got.lastRawValue).toBe(raw.values[n - 1]);
    expect(aggregate(chunks, AggrType.Count).reduce((s, [, c]) => s + c, 0)).toBe(n);
  });

  it('re-aggregates 5m chunks into 1h windows that match the raw samples', () => {
    const n = 48 * 60;
    const raw = counter(n, MIN, [700, 2000]);
    const fiveMin = downsampleRawSeries(raw, RESOLUTION_5M).map((c) => c.chunk);
    const hourly = downsampleAggrSeries(fiveMin, T0, T0 + 48 * HOUR, RESOLUTION_5M, RESOLUTION_1H).map((c) => c.chunk);
    const want = expectedWindows(raw.timestamps, raw.values, RESOLUTION_1H);
    const counts = aggregate(hourly, AggrType.Count);
    expect(counts.map(([, c]) => c)).toEqual(want.map((w) => w.count));
    expect(aggregate(hourly, AggrType.Sum).map(([, s]) => s)).toEqual(want.map((w) => w.sum));
    expect(aggregate(hourly, AggrType.Min).map(([, s]) => s)).toEqual(want.map((w) => w.min));
    expect(aggregate(hourly, AggrType.Max).map(([, s]) => s)).toEqual(want.map((w) => w.max));
    const got = applyCounterResets(hourly.map((c) => decodeAggrChunk(c.data)[AggrType.Counter]!));
    expect(got.values[got.values.length - 1]).toBe(want[want.length - 1].total);
  });
});

let tb: TestBucket;
afterEach(() => tb?.cleanup());

describe('Compactor downsampling', () => {
  it('adds a 5m copy of a raw block spanning 40h, with AggrChunks and the same sources', async () => {
    tb = testBucket();
    const n = 40 * 60;
    const raw = counter(n, MIN, [1234]);
    const src = await uploadSamplesBlock(
      tb,
      [
        {
          labels: { __name__: 'requests_total' },
          timestamps: Array.from(raw.timestamps),
          values: Array.from(raw.values),
        },
      ],
      { tenant_id: 't1' },
      { mint: T0, maxt: T0 + 40 * HOUR },
    );
    const r = await testCompactor(tb).runIteration();
    expect(r.downsamples).toBe(1);
    const live = await liveBlocks(tb);
    const ds = live.find((m) => m.thanos.downsample.resolution === RESOLUTION_5M)!;
    expect(ds).toBeDefined();
    expect(ds.compaction.sources).toEqual([src.ulid]);
    expect([ds.minTime, ds.maxTime]).toEqual([src.minTime, src.maxTime]);
    expect(ds.thanos.labels).toEqual({ tenant_id: 't1' });
    expect(ds.thanos.source).toBe('compactor');
    expect(ds.stats.numSamples).toBe(40 * 12);
    const block = await Block.open(join(tb.dir, ds.ulid));
    try {
      const chunks: Chunk[] = [];
      for await (const s of new BlockQuerier(block).select([newMatcher('=~', '__name__', '.+')], -Infinity, Infinity)) {
        for (const p of s.parts) for (const c of p.chunks) chunks.push(c.chunk);
      }
      expect(chunks.every((c) => c.encoding === EncAggr)).toBe(true);
      const want = expectedWindows(raw.timestamps, raw.values, RESOLUTION_5M);
      expect(aggregate(chunks, AggrType.Sum).map(([, v]) => v)).toEqual(want.map((w) => w.sum));
    } finally {
      await block.close();
    }
    // A second iteration sees the sources covered and does not downsample again.
    expect((await testCompactor(tb).runIteration()).downsamples).toBe(0);
  });
});
