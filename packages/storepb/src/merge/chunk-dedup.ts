// Joining the chunks of one series that arrived from several stores, as the Thanos
// proxy does: a chunk is dropped when, of its sub-chunks (raw, count, max, min, sum,
// counter in that order), none carries bytes not already seen; the rest are sorted by
// (minTime, maxTime). Byte equality stands in for Thanos's xxhash equality.
import type { AggrChunk, Chunk } from '../types';

const DEDUP_FIELDS = ['raw', 'count', 'max', 'min', 'sum', 'counter'] as const;
const COMPARE_FIELDS = ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** FNV-1a over the bytes; only a bucket key, equality is checked byte by byte. */
function bucketKey(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return ((h >>> 0) * 4096 + (data.length & 0xfff)) | 0;
}

class SeenChunks {
  private readonly buckets = new Map<number, Uint8Array[]>();

  /** Records `data`; false when equal bytes were recorded before. */
  add(data: Uint8Array): boolean {
    const key = bucketKey(data);
    const bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, [data]);
      return true;
    }
    if (bucket.some((d) => bytesEqual(d, data))) return false;
    bucket.push(data);
    return true;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function compareChunk(a: Chunk | undefined, b: Chunk | undefined): number {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  return compareBytes(a.data, b.data);
}

/** Order of Thanos's AggrChunk.Compare: min time, max time, then the sub-chunk bytes. */
export function compareAggrChunks(a: AggrChunk, b: AggrChunk): number {
  if (a.minTime !== b.minTime) return a.minTime - b.minTime;
  if (a.maxTime !== b.maxTime) return a.maxTime - b.maxTime;
  for (const f of COMPARE_FIELDS) {
    const c = compareChunk(a[f], b[f]);
    if (c !== 0) return c;
  }
  return 0;
}

/** The distinct chunks of all lists, sorted by time. */
export function mergeChunks(lists: AggrChunk[][]): AggrChunk[] {
  const seen = new SeenChunks();
  const out: AggrChunk[] = [];
  for (const list of lists) {
    for (const chunk of list) {
      for (const f of DEDUP_FIELDS) {
        const sub = chunk[f];
        if (!sub) continue;
        if (seen.add(sub.data)) {
          out.push(chunk);
          break;
        }
      }
    }
  }
  return out.sort(compareAggrChunks);
}
