// Fetches chunks of a block by ref with few range requests: refs are grouped per
// segment file, each chunk's range estimated, and ranges closer than 512 KiB fetched
// with one GET (Thanos's partitioner). Chunks longer than the estimate are re-read.
import {
  chunkRefOffset,
  chunkRefSegment,
  CorruptionError,
  decodeChunkBody,
  type ByteRangeSource,
} from '@thanos-ts/tsdb';

/** Thanos's `PartitionerMaxGapSize`. */
export const MAX_CHUNK_GAP = 512 << 10;
/** Upper bound of one coalesced read. */
const MAX_READ_SPAN = 32 << 20;
/** Thanos's `EstimatedMaxChunkSize`: most chunks are far smaller. */
const ESTIMATED_MAX_CHUNK_SIZE = 16000;

/** A chunk as stored: TSDB encoding byte and data. */
export interface StoredChunk {
  encoding: number;
  data: Uint8Array;
}

interface Want {
  ref: number;
  offset: number;
  end: number;
}

function uvarint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = pos; i < b.length && i < pos + 5; i++) {
    v += (b[i] & 0x7f) * mul;
    if (b[i] < 0x80) return [v, i + 1];
    mul *= 128;
  }
  return [-1, pos];
}

/**
 * Decodes the chunk entry at `pos` of `buf` (fetched from segment offset `base`). Returns
 * the entry's total length instead when `buf` holds only part of it.
 */
function decodeEntry(buf: Uint8Array, pos: number, name: string, offset: number): StoredChunk | number {
  const [len, dataAt] = uvarint(buf, pos);
  if (len < 0) {
    if (buf.length - pos >= 5) throw new CorruptionError('unreadable chunk length', name, offset);
    return 5 + 1 + 4;
  }
  const total = dataAt - pos + 1 + len + 4;
  if (pos + total > buf.length) return total;
  const chunk = decodeChunkBody(buf, dataAt, pos + total, name, offset);
  // A copy: the chunk may outlive (in a cache) the large buffer it was read with.
  return { encoding: chunk.encoding, data: chunk.data.slice() };
}

/** Reads the chunks at `refs` from the segment sources; returns them by ref. */
export async function fetchChunks(
  segments: readonly ByteRangeSource[],
  refs: Iterable<number>,
): Promise<Map<number, StoredChunk>> {
  const bySegment = new Map<number, number[]>();
  for (const ref of refs) {
    const seg = chunkRefSegment(ref);
    let list = bySegment.get(seg);
    if (!list) bySegment.set(seg, (list = []));
    list.push(ref);
  }
  const out = new Map<number, StoredChunk>();
  await Promise.all(
    [...bySegment].map(async ([seg, segRefs]) => {
      const src = segments[seg];
      if (src === undefined)
        throw new CorruptionError(`chunk ref names segment ${seg + 1}, but the block has ${segments.length}`);
      await fetchFromSegment(src, segRefs, out);
    }),
  );
  return out;
}

async function fetchFromSegment(src: ByteRangeSource, refs: number[], out: Map<number, StoredChunk>): Promise<void> {
  const offsets = [...new Set(refs)].sort((a, b) => chunkRefOffset(a) - chunkRefOffset(b));
  const wants: Want[] = offsets.map((ref, i) => {
    const offset = chunkRefOffset(ref);
    if (offset < 8 || offset >= src.size) {
      throw new CorruptionError(`chunk ref offset ${offset} is outside the ${src.size}-byte segment`, src.name, offset);
    }
    const next = i + 1 < offsets.length ? chunkRefOffset(offsets[i + 1]) : Infinity;
    return { ref, offset, end: Math.min(offset + ESTIMATED_MAX_CHUNK_SIZE, next > offset ? next : Infinity, src.size) };
  });
  const groups: Want[][] = [];
  let cur: Want[] = [];
  for (const w of wants) {
    const first = cur[0];
    const last = cur[cur.length - 1];
    if (first && w.offset - last.end <= MAX_CHUNK_GAP && w.end - first.offset <= MAX_READ_SPAN) cur.push(w);
    else {
      if (cur.length) groups.push(cur);
      cur = [w];
    }
  }
  if (cur.length) groups.push(cur);
  await Promise.all(
    groups.map(async (g) => {
      const start = g[0].offset;
      const end = Math.max(...g.map((w) => w.end));
      const buf = await src.read(start, end - start);
      for (const w of g) {
        let entry = decodeEntry(buf, w.offset - start, src.name, w.offset);
        if (typeof entry === 'number') {
          if (w.offset + entry > src.size) {
            throw new CorruptionError(
              `chunk of ${entry} bytes runs past the end of the ${src.size}-byte segment`,
              src.name,
              w.offset,
            );
          }
          entry = decodeEntry(await src.read(w.offset, entry), 0, src.name, w.offset);
          if (typeof entry === 'number') throw new CorruptionError('chunk entry could not be read', src.name, w.offset);
        }
        out.set(w.ref, entry);
      }
    }),
  );
}
