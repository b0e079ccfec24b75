import { XorChunkSequenceEncoder, overlappingRuns } from '../block/chunk-sequence';
import { reencodeChunk, type TimedChunk } from '../block/trim';
import { Series, type SeriesPart } from './series';

interface PartChunk extends TimedChunk {
  /** Index of the part holding the chunk: earlier parts win samples with equal timestamps. */
  part: number;
}

/**
 * The chunks of a merged series as one time-ordered, non-overlapping sequence, as a StoreAPI
 * answer needs them: chunks that overlap no other are passed on as they are (re-encoded
 * without deleted samples when their part has deletions); each group of overlapping chunks
 * (a head chunk across a compacted boundary, out-of-order chunks and blocks) is merged, one
 * sample per timestamp, and re-encoded in chunks of at most 120 samples, as Prometheus'
 * compacting chunk merger does. Chunks entirely outside `[mint, maxt]` are left out.
 */
export function disjointChunks(series: Series, mint: number, maxt: number): TimedChunk[] {
  // The common case (the head's in-order chunks, blocks that follow one another) needs no merging.
  const inRange = orderedInRange(series.parts, mint, maxt);
  if (inRange) return inRange;
  const items: PartChunk[] = [];
  series.parts.forEach((p, part) => {
    for (const c of p.chunks) if (c.maxTime >= mint && c.minTime <= maxt) items.push({ ...c, part });
  });
  if (series.parts.length > 1) items.sort((a, b) => a.minTime - b.minTime || a.part - b.part);
  const out: TimedChunk[] = [];
  for (const run of overlappingRuns(items)) {
    if (run.length > 1) {
      mergeOverlapping(series, run, mint, maxt, out);
      continue;
    }
    const { minTime, maxTime, chunk, part } = run[0];
    const deleted = series.parts[part].deleted;
    const kept = deleted.length > 0 ? reencodeChunk(chunk, minTime, maxTime, deleted) : { minTime, maxTime, chunk };
    if (kept) out.push(kept);
  }
  return out;
}

function mergeOverlapping(series: Series, run: PartChunk[], mint: number, maxt: number, out: TimedChunk[]): void {
  const parts: SeriesPart[] = [...run]
    .sort((a, b) => a.part - b.part)
    .map(({ minTime, maxTime, chunk, part }) => ({
      chunks: [{ minTime, maxTime, chunk }],
      deleted: series.parts[part].deleted,
    }));
  const it = new Series(series.labels, parts, mint, maxt).iterator();
  const encoder = new XorChunkSequenceEncoder(out);
  while (it.next()) encoder.append(it.t, it.vHi, it.vLo);
  encoder.finish();
}

/**
 * The chunks overlapping `[mint, maxt]` when the parts, taken in order, hold them in time order
 * without overlaps and without deletions, else undefined.
 */
function orderedInRange(parts: readonly SeriesPart[], mint: number, maxt: number): TimedChunk[] | undefined {
  const out: TimedChunk[] = [];
  let end = -Infinity;
  for (const p of parts) {
    if (p.deleted.length > 0) return undefined;
    for (const c of p.chunks) {
      if (c.maxTime < mint || c.minTime > maxt) continue;
      if (c.minTime <= end) return undefined;
      end = c.maxTime;
      out.push(c);
    }
  }
  return out;
}
