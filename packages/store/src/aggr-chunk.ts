// Downsampled chunks (spec §10.5): encoding byte 0xFF in the segment file, payload =
// count, sum, min, max, counter, each `uvarint(len) [encoding byte][data]` (len 0: absent).
import { CorruptionError } from '@thanos-ts/tsdb';
import { Aggr, type AggrChunk, type Chunk } from '@thanos-ts/storepb';

/** `ChunkEncAggr` of Thanos's downsample package. */
export const CHUNK_ENC_AGGR = 0xff;
/** TSDB chunk encodings (1 XOR, 2 histogram, 3 float histogram) are StoreAPI's plus one. */
const TSDB_ENC_XOR = 1;

const AGGR_FIELDS = ['count', 'sum', 'min', 'max', 'counter'] as const;
export type AggrField = (typeof AGGR_FIELDS)[number];

const FIELD_OF_AGGR: Partial<Record<number, AggrField>> = {
  [Aggr.COUNT]: 'count',
  [Aggr.SUM]: 'sum',
  [Aggr.MIN]: 'min',
  [Aggr.MAX]: 'max',
  [Aggr.COUNTER]: 'counter',
};

function uvarint(b: Uint8Array, pos: number, name: string): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = pos; i < b.length && i < pos + 9; i++) {
    v += (b[i] & 0x7f) * mul;
    if (b[i] < 0x80) return [v, i + 1];
    mul *= 128;
  }
  throw new CorruptionError('unreadable aggregate length', name, pos);
}

/** The five sub-chunks of an aggregate chunk payload (undefined where absent). */
export function decodeAggrChunk(data: Uint8Array, name = '<aggr chunk>'): Partial<Record<AggrField, Chunk>> {
  const out: Partial<Record<AggrField, Chunk>> = {};
  let pos = 0;
  for (const field of AGGR_FIELDS) {
    const [len, next] = uvarint(data, pos, name);
    pos = next;
    if (len === 0) continue;
    if (pos + 1 + len > data.length)
      throw new CorruptionError(`aggregate ${field} of ${len} bytes runs past the chunk`, name, pos);
    out[field] = { type: data[pos] - TSDB_ENC_XOR, data: data.subarray(pos + 1, pos + 1 + len) };
    pos += 1 + len;
  }
  return out;
}

/** Encodes sub-chunks as a payload (tests, tools). `encoding` per sub-chunk is TSDB's (1 = XOR). */
export function encodeAggrChunk(parts: Partial<Record<AggrField, Uint8Array>>): Uint8Array {
  const bytes: number[] = [];
  for (const field of AGGR_FIELDS) {
    const d = parts[field];
    let len = d?.length ?? 0;
    do {
      bytes.push((len & 0x7f) | (len >= 0x80 ? 0x80 : 0));
      len = Math.floor(len / 128);
    } while (len > 0);
    if (d === undefined || d.length === 0) continue;
    bytes.push(TSDB_ENC_XOR);
    for (const x of d) bytes.push(x);
  }
  return Uint8Array.from(bytes);
}

/**
 * Fills an AggrChunk from a downsampled chunk with the requested aggregates; an empty
 * request gets all of them. Unknown or absent aggregates are left unset.
 */
export function aggrChunkFrom(
  minTime: number,
  maxTime: number,
  data: Uint8Array,
  aggregates: readonly number[],
  name?: string,
): AggrChunk {
  const parts = decodeAggrChunk(data, name);
  const out: AggrChunk = { minTime, maxTime };
  const wanted = aggregates.length === 0 ? AGGR_FIELDS : aggregates.map((a) => FIELD_OF_AGGR[a]);
  for (const f of wanted) if (f !== undefined && parts[f]) out[f] = parts[f];
  return out;
}

/** Samples of an XOR chunk (its 2-byte header); 0 for anything shorter. */
export function xorSampleCount(data: Uint8Array): number {
  return data.length < 2 ? 0 : (data[0] << 8) | data[1];
}

/** Samples an AggrChunk carries, counted once (the count aggregate, else any other). */
export function aggrChunkSamples(c: AggrChunk): number {
  const first = c.raw ?? c.count ?? c.sum ?? c.min ?? c.max ?? c.counter;
  return first ? xorSampleCount(first.data) : 0;
}
