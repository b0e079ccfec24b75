// Thanos' downsampling of one series (spec/thanos.md §10.4, §10.6): raw samples to
// 5m aggregates, and aggregates to coarser aggregates along chunk boundaries.
import { XorChunkEncoder, XorChunkIterator, type Chunk, type TimedChunk } from '@thanos-ts/tsdb';
import { AggrType, CounterTotal, decodeAggrChunk, encodeAggrChunk, type AggrParts } from '@thanos-ts/storepb';

export const RESOLUTION_RAW = 0;
export const RESOLUTION_5M = 300_000;
export const RESOLUTION_1H = 3_600_000;

/** Samples of one series; values keep their bit patterns. */
export interface SampleColumns {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Aggregate chunks are sized for about this many windows each. */
const TARGET_SAMPLES_PER_CHUNK = 140;
/** Raw data is assumed to be scraped about once a minute when sizing chunks. */
const ASSUMED_RAW_INTERVAL_MS = 60_000;

/** Last millisecond of the `resolution` window holding `t`. */
export function windowEnd(t: number, resolution: number): number {
  return t - (t % resolution) + resolution - 1;
}

function rangeFullness(mint: number, maxt: number, step: number, count: number): number {
  const f = count / ((maxt - mint) / step);
  return f > 1 ? 1 : f;
}

/** How many chunks to cut so that each holds under ~140 windows on average. */
function targetChunkCount(mint: number, maxt: number, inRes: number, outRes: number, count: number): number {
  const maxSamples = Math.trunc((maxt - mint) / outRes);
  const fullness = maxt > mint ? rangeFullness(mint, maxt, inRes, count) : 1;
  const expected = Math.trunc(maxSamples * fullness) + 1;
  let x = 1;
  while (Math.trunc(expected / x) > TARGET_SAMPLES_PER_CHUNK) x++;
  return x;
}

/** Per-window aggregates plus the reset-corrected counter running over a whole batch. */
class Aggregator {
  total = 0;
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  counter = 0;
  private last = 0;

  resetWindow(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.MAX_VALUE;
    this.max = -Number.MAX_VALUE;
  }

  add(v: number): void {
    if (this.total === 0) this.counter = v;
    else this.counter += v >= this.last ? v - this.last : v;
    this.last = v;
    this.sum += v;
    this.count++;
    this.total++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

/**
 * Aggregates samples `[from, to)` into `resolution` windows, calling `emit` once per
 * window at its end (capped at the batch's last timestamp so batches never overlap).
 * NaN samples (stale markers included) are dropped. Returns the last emitted timestamp.
 */
function downsampleBatch(
  ts: Float64Array,
  vs: Float64Array,
  from: number,
  to: number,
  resolution: number,
  emit: (t: number, a: Aggregator) => void,
): number {
  const aggr = new Aggregator();
  const lastT = ts[to - 1];
  let nextT = -1;
  for (let i = from; i < to; i++) {
    const v = vs[i];
    if (v !== v) continue;
    const t = ts[i];
    if (t > nextT) {
      if (nextT !== -1) emit(nextT, aggr);
      aggr.resetWindow();
      nextT = Math.min(windowEnd(t, resolution), lastT);
    }
    aggr.add(v);
  }
  if (nextT !== -1) emit(nextT, aggr);
  return nextT;
}

/** Builds the five sub-chunks of one AggrChunk; its time range is that of the windows. */
class AggrChunkBuilder {
  readonly encoders: (XorChunkEncoder | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  mint = Infinity;
  maxt = -Infinity;

  encoder(type: number): XorChunkEncoder {
    return (this.encoders[type] ??= new XorChunkEncoder());
  }

  noteTime(t: number): void {
    if (t < this.mint) this.mint = t;
    if (t > this.maxt) this.maxt = t;
  }

  addWindow = (t: number, a: Aggregator): void => {
    this.noteTime(t);
    this.encoder(AggrType.Count).append(t, a.count);
    this.encoder(AggrType.Sum).append(t, a.sum);
    this.encoder(AggrType.Min).append(t, a.min);
    this.encoder(AggrType.Max).append(t, a.max);
    this.encoder(AggrType.Counter).append(t, a.counter);
  };

  build(): TimedChunk | undefined {
    if (this.mint === Infinity) return undefined;
    const parts: AggrParts = this.encoders.map((e) => (e && e.numSamples > 0 ? e.toChunk() : undefined));
    return { minTime: this.mint, maxTime: this.maxt, chunk: encodeAggrChunk(parts) };
  }
}

/** Index of the first sample after the window that holds sample `j - 1`. */
function extendToWindowEnd(ts: Float64Array, j: number, resolution: number): number {
  const end = windowEnd(ts[j - 1], resolution);
  while (j < ts.length && ts[j] <= end) j++;
  return j;
}

/**
 * Raw samples → AggrChunks of `resolution` windows. The counter sub-chunk also carries
 * the batch's first raw sample and, at the last window's timestamp again, its last raw
 * value, so that resets between chunks can be detected later.
 */
export function downsampleRawSeries(samples: SampleColumns, resolution: number): TimedChunk[] {
  const { timestamps: ts, values: vs } = samples;
  const n = ts.length;
  if (n === 0) return [];
  const numChunks = targetChunkCount(ts[0], ts[n - 1], ASSUMED_RAW_INTERVAL_MS, resolution, n);
  const batchSize = Math.trunc(n / numChunks) + 1;
  const out: TimedChunk[] = [];
  for (let start = 0; start < n;) {
    const end = extendToWindowEnd(ts, Math.min(start + batchSize, n), resolution);
    const b = new AggrChunkBuilder();
    b.encoder(AggrType.Counter).append(ts[start], vs[start]);
    const lastT = downsampleBatch(ts, vs, start, end, resolution, b.addWindow);
    if (lastT !== -1) b.encoder(AggrType.Counter).append(lastT, vs[end - 1]);
    const built = b.build();
    if (built) out.push(built);
    start = end;
  }
  return out;
}

/** Expands XOR chunks into sample columns (in chunk order). */
function expandChunks(chunks: readonly Chunk[]): SampleColumns {
  let total = 0;
  for (const c of chunks) total += (c.data[0] << 8) | c.data[1];
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  let n = 0;
  const it = new XorChunkIterator();
  for (const c of chunks) {
    it.reset(c.data);
    while (it.next()) {
      timestamps[n] = it.t;
      values[n] = it.v;
      n++;
    }
    if (it.err) throw it.err;
  }
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) };
}

/** A counter series made monotonic across chunks, with the true last raw value. */
export interface CounterSamples extends SampleColumns {
  lastRawValue: number;
}

/**
 * Reads counter sub-chunks as one monotonic series (Thanos' ApplyCounterResetsSeriesIterator):
 * a value below the previous one is a reset and adds its full value; a repeated timestamp
 * carries the true last raw value of its chunk, used for the comparison with the next chunk.
 */
export function applyCounterResets(chunks: readonly Chunk[]): CounterSamples {
  const raw = expandChunks(chunks);
  const timestamps = new Float64Array(raw.timestamps.length);
  const values = new Float64Array(raw.timestamps.length);
  const counter = new CounterTotal();
  let n = 0;
  for (let i = 0; i < raw.timestamps.length; i++) {
    const t = raw.timestamps[i];
    if (!counter.add(t, raw.values[i])) continue;
    timestamps[n] = t;
    values[n] = counter.total;
    n++;
  }
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n), lastRawValue: counter.lastRaw };
}

type WindowValue = (a: Aggregator) => number;
const SIMPLE_AGGREGATES: [number, WindowValue][] = [
  [AggrType.Count, (a) => a.sum],
  [AggrType.Sum, (a) => a.sum],
  [AggrType.Min, (a) => a.min],
  [AggrType.Max, (a) => a.max],
];

/** Re-aggregates a run of AggrChunks into one coarser AggrChunk. */
function downsampleAggrBatch(batch: readonly AggrParts[], resolution: number): TimedChunk | undefined {
  const b = new AggrChunkBuilder();
  for (const [type, value] of SIMPLE_AGGREGATES) {
    const chunks = batch.map((p) => p[type]).filter((c): c is Chunk => c !== undefined);
    const s = expandChunks(chunks);
    if (s.timestamps.length === 0) continue;
    const enc = b.encoder(type);
    downsampleBatch(s.timestamps, s.values, 0, s.timestamps.length, resolution, (t, a) => {
      b.noteTime(t);
      enc.append(t, value(a));
    });
  }
  const counters = applyCounterResets(batch.map((p) => p[AggrType.Counter]).filter((c): c is Chunk => c !== undefined));
  const n = counters.timestamps.length;
  if (n > 0) {
    const enc = b.encoder(AggrType.Counter);
    enc.append(counters.timestamps[0], counters.values[0]);
    const lastT = downsampleBatch(counters.timestamps, counters.values, 0, n, resolution, (t, a) => {
      b.noteTime(t);
      enc.append(t, a.counter);
    });
    enc.append(lastT, counters.lastRawValue);
  }
  return b.build();
}

/**
 * AggrChunks of resolution `inRes` → AggrChunks of `outRes`, cut only at input chunk
 * boundaries so every output chunk's counter keeps true first and last raw values.
 * `mint`/`maxt` are the source block's range (they size the output chunks).
 */
export function downsampleAggrSeries(
  chunks: readonly Chunk[],
  mint: number,
  maxt: number,
  inRes: number,
  outRes: number,
): TimedChunk[] {
  const parts = chunks.map((c) => decodeAggrChunk(c.data));
  let numSamples = 0;
  for (const p of parts) {
    const count = p[AggrType.Count];
    if (count) numSamples += (count.data[0] << 8) | count.data[1];
  }
  const numChunks = targetChunkCount(mint, maxt, inRes, outRes, numSamples);
  const batchSize = Math.max(1, Math.trunc(parts.length / numChunks));
  const out: TimedChunk[] = [];
  for (let start = 0; start < parts.length; start += batchSize) {
    const built = downsampleAggrBatch(parts.slice(start, start + batchSize), outRes);
    if (built) out.push(built);
  }
  return out;
}
