// Turns the XOR chunks of one series into typed arrays of samples within a time window,
// copying each value's bit pattern so NaN payloads (stale markers) survive.
import { ChunkEncoding, type AggrChunk } from '@thanos-ts/storepb';
import { XorChunkIterator } from '@thanos-ts/tsdb';

export interface DecodedSamples {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Which half of a float64 each Uint32 word holds (platform byte order). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

export class UnsupportedChunkError extends Error {
  override readonly name = 'UnsupportedChunkError';
}

/**
 * Decodes the raw XOR chunks (sorted, not overlapping) into samples with
 * `mint <= t <= maxt`. Chunks without raw data (downsampled) or of other encodings are
 * refused with an error a user can act on.
 */
export function decodeChunks(chunks: readonly AggrChunk[], mint: number, maxt: number): DecodedSamples {
  let capacity = 0;
  for (const c of chunks) {
    if (c.maxTime < mint || c.minTime > maxt) continue;
    const raw = c.raw;
    if (!raw) throw new UnsupportedChunkError('downsampled (aggregated) chunks are not supported yet; query raw data');
    if (raw.type !== ChunkEncoding.XOR) {
      throw new UnsupportedChunkError(`chunk encoding ${raw.type} (native histograms) is not supported yet`);
    }
    if (raw.data.length >= 2) capacity += (raw.data[0] << 8) | raw.data[1];
  }
  const timestamps = new Float64Array(capacity);
  const values = new Float64Array(capacity);
  const words = new Uint32Array(values.buffer);
  const it = new XorChunkIterator();
  let n = 0;
  for (const c of chunks) {
    if (c.maxTime < mint || c.minTime > maxt) continue;
    it.reset(c.raw!.data);
    while (it.next()) {
      const t = it.t;
      if (t < mint) continue;
      if (t > maxt) break;
      // Chunks of one replica never overlap; a repeated timestamp would break the engine.
      if (n > 0 && t <= timestamps[n - 1]) continue;
      timestamps[n] = t;
      words[2 * n + HI] = it.vHi;
      words[2 * n + LO] = it.vLo;
      n++;
    }
    if (it.err) throw it.err;
  }
  return n === capacity ? { timestamps, values } : { timestamps: timestamps.slice(0, n), values: values.slice(0, n) };
}
