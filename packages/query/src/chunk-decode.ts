// Turns the chunks of one series into typed arrays of samples within a time window:
// raw XOR chunks as they are, downsampled AggrChunks as the aggregate the query's
// function needs (spec/thanos.md §4.5, §10.6). Raw values keep their bit pattern so NaN
// payloads (stale markers) survive.
import { Aggr, ChunkEncoding, CounterTotal, type AggrChunk, type Chunk } from '@thanos-ts/storepb';
import { XorChunkIterator } from '@thanos-ts/tsdb';
import type { SampleArena } from './sample-arena';
import { SampleBuffer, type DecodedSamples } from './sample-buffer';

export type { DecodedSamples } from './sample-buffer';

/** Which values of a downsampled chunk stand for the series. */
export type Aggregate = 'count' | 'sum' | 'min' | 'max' | 'counter' | 'average';

const COUNTER_FUNCS = new Set(['rate', 'increase', 'irate', 'resets', 'xrate', 'xincrease']);

export class UnsupportedChunkError extends Error {
  override readonly name = 'UnsupportedChunkError';
}

/** The aggregate a PromQL function reads from downsampled data (Thanos's aggrsFromFunc). */
export function aggregateForFunc(func: string | undefined): Aggregate {
  const f = func ?? '';
  if (f === 'min' || f.startsWith('min_')) return 'min';
  if (f === 'max' || f.startsWith('max_')) return 'max';
  if (f === 'count' || f.startsWith('count_')) return 'count';
  if (f.startsWith('sum_')) return 'sum';
  if (COUNTER_FUNCS.has(f)) return 'counter';
  return 'average';
}

/** Functions that need two samples inside their range (Thanos caps the resolution to range/2). */
export function needsTwoSamples(func: string | undefined): boolean {
  return func !== undefined && COUNTER_FUNCS.has(func);
}

/** The `aggregates` of a SeriesRequest for an aggregate. */
export function requestAggregates(a: Aggregate): Aggr[] {
  switch (a) {
    case 'count':
      return [Aggr.COUNT];
    case 'sum':
      return [Aggr.SUM];
    case 'min':
      return [Aggr.MIN];
    case 'max':
      return [Aggr.MAX];
    case 'counter':
      return [Aggr.COUNTER];
    default:
      return [Aggr.COUNT, Aggr.SUM];
  }
}

function overlaps(c: AggrChunk, mint: number, maxt: number): boolean {
  return c.maxTime >= mint && c.minTime <= maxt;
}

function xorSamples(chunk: Chunk): number {
  return chunk.data.length >= 2 ? (chunk.data[0] << 8) | chunk.data[1] : 0;
}

/** The XOR chunk holding aggregate `field` of `c` (its raw chunk when present). */
function subChunk(c: AggrChunk, field: Exclude<Aggregate, 'average'>): Chunk {
  const chunk = c.raw ?? c[field];
  if (!chunk) {
    throw new UnsupportedChunkError(
      `downsampled chunk [${c.minTime}, ${c.maxTime}] has no ${field} aggregate; the store did not send it`,
    );
  }
  if (chunk.type !== ChunkEncoding.XOR) {
    throw new UnsupportedChunkError(`chunk encoding ${chunk.type} (native histograms) is not supported yet`);
  }
  return chunk;
}

/** Samples of one XOR chunk in full, for zipping count and sum. */
function readXor(chunk: Chunk): DecodedSamples {
  const out = new SampleBuffer(xorSamples(chunk));
  out.appendXor(chunk.data, -Infinity, Infinity);
  return out.finish();
}

/** Per timestamp sum/count of a downsampled chunk; the two sub-chunks share their timestamps. */
function appendAverage(out: SampleBuffer, c: AggrChunk, mint: number, maxt: number): void {
  const count = readXor(subChunk(c, 'count'));
  const sum = readXor(subChunk(c, 'sum'));
  if (count.timestamps.length !== sum.timestamps.length) {
    throw new UnsupportedChunkError(
      `downsampled chunk [${c.minTime}, ${c.maxTime}]: ${count.timestamps.length} count samples but ${sum.timestamps.length} sum samples`,
    );
  }
  for (let i = 0; i < count.timestamps.length; i++) {
    const t = count.timestamps[i];
    if (sum.timestamps[i] !== t) {
      throw new UnsupportedChunkError(
        `downsampled chunk [${c.minTime}, ${c.maxTime}]: count and sum timestamps differ at sample ${i}`,
      );
    }
    if (t < mint) continue;
    if (t > maxt) break;
    if (out.accepts(t)) out.push(t, sum.values[i] / count.values[i]);
  }
}

/**
 * The counter sub-chunks made into one monotonic series (spec §10.6): resets are added
 * back, a repeated timestamp carries the true last raw value for the next reset check.
 * Totals start at the first sample of the first chunk, so only the window is bounded.
 */
function decodeCounter(chunks: readonly AggrChunk[], mint: number, maxt: number): DecodedSamples {
  const out = new SampleBuffer(0);
  const it = new XorChunkIterator();
  const counter = new CounterTotal();
  for (const c of chunks) {
    // a chunk that starts at or before the previous one's end repeats samples already taken
    const startT = counter.lastT;
    const seeking = counter.started;
    it.reset(subChunk(c, 'counter').data);
    while (it.next()) {
      const t = it.t;
      if (seeking && t <= startT) continue;
      if (counter.add(t, it.v) && t >= mint && t <= maxt) out.push(t, counter.total);
    }
    if (it.err) throw it.err;
  }
  return out.finish();
}

/**
 * Decodes the chunks of one replica (sorted, not overlapping) into samples with
 * `mint <= t <= maxt`. Raw chunks decode as they are; downsampled ones as `aggregate`.
 * With `arena` the result is a slice of the arena's arrays.
 */
export function decodeChunks(
  chunks: readonly AggrChunk[],
  mint: number,
  maxt: number,
  aggregate: Aggregate = 'average',
  arena?: SampleArena,
): DecodedSamples {
  const inWindow = chunks.filter((c) => overlaps(c, mint, maxt));
  if (aggregate === 'counter' && inWindow.some((c) => !c.raw)) return decodeCounter(inWindow, mint, maxt);
  let capacity = 0;
  for (const c of inWindow) capacity += c.raw ? xorSamples(c.raw) : c.count ? xorSamples(c.count) : 0;
  // Averages decode count and sum into buffers of their own first, so they cannot share the arena.
  const averaged = aggregate === 'average' && inWindow.some((c) => !c.raw);
  const out = new SampleBuffer(capacity, averaged ? undefined : arena);
  for (const c of inWindow) {
    if (c.raw || aggregate !== 'average') {
      out.appendXor(subChunk(c, aggregate === 'average' ? 'count' : aggregate).data, mint, maxt);
    } else {
      appendAverage(out, c, mint, maxt);
    }
  }
  return out.finish();
}
