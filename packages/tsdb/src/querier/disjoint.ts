import { SAMPLES_PER_CHUNK, XorChunkEncoder } from '../chunkenc';
import { reencodeChunk, type TimedChunk } from '../block/trim';
import { Series, type SeriesPart } from './series';

interface PartChunk {
  chunk: TimedChunk;
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
  const items: PartChunk[] = [];
  series.parts.forEach((p, part) => {
    for (const chunk of p.chunks) if (chunk.maxTime >= mint && chunk.minTime <= maxt) items.push({ chunk, part });
  });
  if (series.parts.length > 1) items.sort((a, b) => a.chunk.minTime - b.chunk.minTime || a.part - b.part);
  const out: TimedChunk[] = [];
  for (let i = 0; i < items.length;) {
    let end = items[i].chunk.maxTime;
    let j = i + 1;
    while (j < items.length && items[j].chunk.minTime <= end) end = Math.max(end, items[j++].chunk.maxTime);
    if (j === i + 1) {
      const { chunk, part } = items[i];
      const deleted = series.parts[part].deleted;
      const kept = deleted.length > 0 ? reencodeChunk(chunk.chunk, chunk.minTime, chunk.maxTime, deleted) : chunk;
      if (kept) out.push(kept);
    } else {
      out.push(...mergeOverlapping(series, items.slice(i, j), mint, maxt));
    }
    i = j;
  }
  return out;
}

function mergeOverlapping(series: Series, group: PartChunk[], mint: number, maxt: number): TimedChunk[] {
  const parts: SeriesPart[] = [...group]
    .sort((a, b) => a.part - b.part)
    .map(({ chunk, part }) => ({ chunks: [chunk], deleted: series.parts[part].deleted }));
  const it = new Series(series.labels, parts, mint, maxt).iterator();
  const out: TimedChunk[] = [];
  let enc = new XorChunkEncoder();
  const flush = () => {
    if (enc.numSamples === 0) return;
    out.push({ minTime: enc.minTime, maxTime: enc.maxTime, chunk: enc.toChunk() });
    enc = new XorChunkEncoder();
  };
  while (it.next()) {
    if (enc.numSamples === SAMPLES_PER_CHUNK) flush();
    enc.appendBits(it.t, it.vHi, it.vLo);
  }
  flush();
  return out;
}
