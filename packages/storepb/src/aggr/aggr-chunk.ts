// Thanos' AggrChunk (chunk encoding 0xFF): the five aggregates of a downsampled window
// series stored as sub-chunks in one TSDB chunk (spec/thanos.md §10.5).
import type { Chunk } from '@thanos-ts/tsdb';

/** Chunk encoding byte of aggregate chunks in chunk segment files. */
export const EncAggr = 0xff;

/** Positions of the sub-chunks, in their on-disk order. */
export const AggrType = { Count: 0, Sum: 1, Min: 2, Max: 3, Counter: 4 } as const;
export type AggrTypeValue = (typeof AggrType)[keyof typeof AggrType];
export const AGGR_NAMES = ['count', 'sum', 'min', 'max', 'counter'] as const;

/** The sub-chunks of one AggrChunk, indexed by {@link AggrType}; absent aggregates are undefined. */
export type AggrParts = (Chunk | undefined)[];

export class AggrChunkError extends Error {
  override readonly name = 'AggrChunkError';
}

function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function putUvarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Encodes five (or fewer) sub-chunks as one chunk with encoding {@link EncAggr}. */
export function encodeAggrChunk(parts: AggrParts): Chunk {
  let size = 0;
  for (let i = 0; i < 5; i++) {
    const c = parts[i];
    size += c ? uvarintSize(c.data.length) + 1 + c.data.length : 1;
  }
  const data = new Uint8Array(size);
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const c = parts[i];
    if (!c || c.data.length === 0) {
      data[pos++] = 0;
      continue;
    }
    pos = putUvarint(data, pos, c.data.length);
    data[pos++] = c.encoding;
    data.set(c.data, pos);
    pos += c.data.length;
  }
  return { encoding: EncAggr, data: data.subarray(0, pos) };
}

/** Splits an AggrChunk's payload into its sub-chunks; `where` names the chunk in errors. */
export function decodeAggrChunk(data: Uint8Array, where = 'aggregate chunk'): AggrParts {
  const parts: AggrParts = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    let len = 0;
    let mul = 1;
    for (;;) {
      if (pos >= data.length) throw new AggrChunkError(`${where}: truncated length of ${AGGR_NAMES[i]} at byte ${pos}`);
      const b = data[pos++];
      len += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) break;
    }
    if (len === 0) {
      parts.push(undefined);
      continue;
    }
    if (pos + 1 + len > data.length) {
      throw new AggrChunkError(`${where}: ${AGGR_NAMES[i]} sub-chunk of ${len} bytes at byte ${pos} runs past the end`);
    }
    parts.push({ encoding: data[pos], data: data.subarray(pos + 1, pos + 1 + len) });
    pos += 1 + len;
  }
  return parts;
}

/** Samples in an AggrChunk: those of its count sub-chunk (as Thanos' `AggrChunk.NumSamples`). */
export function aggrChunkNumSamples(data: Uint8Array): number {
  const count = decodeAggrChunk(data)[AggrType.Count];
  return count && count.data.length >= 2 ? (count.data[0] << 8) | count.data[1] : 0;
}
