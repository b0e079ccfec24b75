// Downsampled chunks (spec §10.5): encoding byte 0xFF in the segment file, payload =
// count, sum, min, max, counter, each `uvarint(len) [encoding byte][data]` (len 0: absent).
import { AGGR_NAMES, decodeAggrChunk, EncAggr, type AggrChunk, type Chunk } from '@thanos-ts/storepb';
import { Aggr } from '@thanos-ts/storepb';

export const CHUNK_ENC_AGGR = EncAggr;
/** TSDB encodings are StoreAPI chunk types plus one (XOR is 1 on disk, 0 on the wire). */
const TSDB_ENC_XOR = 1;

export type AggrField = (typeof AGGR_NAMES)[number];

const FIELD_OF_AGGR: Partial<Record<number, AggrField>> = {
  [Aggr.COUNT]: 'count',
  [Aggr.SUM]: 'sum',
  [Aggr.MIN]: 'min',
  [Aggr.MAX]: 'max',
  [Aggr.COUNTER]: 'counter',
};

/** The sub-chunks of an aggregate chunk as StoreAPI chunks, by aggregate name. */
export function aggrFields(data: Uint8Array, name = '<aggr chunk>'): Partial<Record<AggrField, Chunk>> {
  const parts = decodeAggrChunk(data, name);
  const out: Partial<Record<AggrField, Chunk>> = {};
  AGGR_NAMES.forEach((field, i) => {
    const p = parts[i];
    if (p) out[field] = { type: p.encoding - TSDB_ENC_XOR, data: p.data };
  });
  return out;
}

export function aggrChunkFrom(
  minTime: number,
  maxTime: number,
  data: Uint8Array,
  aggregates: readonly number[],
  name?: string,
): AggrChunk {
  const parts = aggrFields(data, name);
  const out: AggrChunk = { minTime, maxTime };
  const wanted = aggregates.length === 0 ? AGGR_NAMES : aggregates.map((a) => FIELD_OF_AGGR[a]);
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
