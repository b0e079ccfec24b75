import { EncXOR, XorChunkEncoder, XorChunkIterator, type Chunk } from '../chunkenc';
import { inIntervals, type Interval } from '../tombstones';

/** A chunk with the inclusive time range of its samples. */
export interface TimedChunk {
  minTime: number;
  maxTime: number;
  chunk: Chunk;
}

/** Whether one interval of the list covers all of `[mint, maxt]` (Prometheus' `IsSubrange`). */
export function coveredByOneInterval(mint: number, maxt: number, deleted: readonly Interval[]): boolean {
  for (const iv of deleted) if (iv.mint <= mint && maxt <= iv.maxt) return true;
  return false;
}

function overlapsAny(mint: number, maxt: number, deleted: readonly Interval[]): boolean {
  for (const iv of deleted) if (iv.mint <= maxt && mint <= iv.maxt) return true;
  return false;
}

/**
 * A new XOR chunk with only the samples of `chunk` inside `[mint, maxt]` and outside
 * `deleted`, or undefined when none remain. This is what Prometheus does to a head chunk
 * that crosses a block boundary or has deleted samples when it writes a block.
 */
export function reencodeChunk(
  chunk: Chunk,
  mint: number,
  maxt: number,
  deleted: readonly Interval[] = [],
): TimedChunk | undefined {
  if (chunk.encoding !== EncXOR) return undefined;
  const it = new XorChunkIterator(chunk.data);
  const enc = new XorChunkEncoder(chunk.data.length);
  while (it.next()) {
    const t = it.t;
    if (t < mint) continue;
    if (t > maxt) break;
    if (deleted.length > 0 && inIntervals(deleted, t)) continue;
    enc.appendBits(t, it.vHi, it.vLo);
  }
  if (it.err) throw it.err;
  if (enc.numSamples === 0) return undefined;
  return { minTime: enc.minTime, maxTime: enc.maxTime, chunk: enc.toChunk() };
}

/**
 * The chunks of one series as Prometheus' compactor writes them into a block covering the
 * inclusive range `[mint, maxt]`: chunks outside the range or inside one deleted interval
 * are dropped, chunks crossing the range or touching a deleted interval are re-encoded
 * with the remaining samples, all others are kept as they are (same bytes).
 */
export function chunksForBlock(
  chunks: readonly TimedChunk[],
  mint: number,
  maxt: number,
  deleted: readonly Interval[] = [],
): TimedChunk[] {
  const out: TimedChunk[] = [];
  for (const c of chunks) {
    if (c.maxTime < mint || c.minTime > maxt) continue;
    if (coveredByOneInterval(c.minTime, c.maxTime, deleted)) continue;
    if (c.minTime >= mint && c.maxTime <= maxt && !overlapsAny(c.minTime, c.maxTime, deleted)) {
      out.push(c);
      continue;
    }
    const r = reencodeChunk(c.chunk, mint, maxt, deleted);
    if (r) out.push(r);
  }
  return out;
}
