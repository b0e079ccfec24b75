import { compressSync, uncompressSync } from 'snappy';
import { SnappyDecodeError, WriteRequestTooLargeError } from './errors';

/** Default ceiling for a decoded remote_write body (Prometheus senders stay far below this). */
export const DEFAULT_MAX_DECODED_BYTES = 32 * 1024 * 1024;

// The most a snappy block can expand: a 3-byte copy element yields at most 64 bytes.
const MAX_EXPANSION = 22;

/**
 * Reads the uvarint length header of a snappy block like Go's `snappy.decodedLen`: at most 5 bytes and
 * at most 0xffffffff, anything else is corrupt input.
 */
export function snappyDecodedLength(block: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new SnappyDecodeError('length header is truncated');
    const b = block[i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (i === 4 && b > 0x0f) break;
      return value;
    }
  }
  throw new SnappyDecodeError('length header exceeds 32 bits');
}

/**
 * Decompresses a snappy block-format body (what Prometheus' remote_write sends; the framed/stream format is
 * rejected). The declared size is checked against `maxDecodedBytes` before anything is allocated.
 * Uses the native `snappy` binding: it is faster than snappyjs on request-sized bodies and, unlike snappyjs,
 * rejects blocks whose content does not match the declared length (see bench/README.md).
 */
export function decompressSnappyBlock(block: Uint8Array, maxDecodedBytes = DEFAULT_MAX_DECODED_BYTES): Uint8Array {
  const declared = snappyDecodedLength(block);
  if (declared > maxDecodedBytes) throw new WriteRequestTooLargeError(declared, maxDecodedBytes);
  // a header promising more than the block can hold is corrupt; catching it here avoids a large allocation
  if (declared > MAX_EXPANSION * block.length) {
    throw new SnappyDecodeError(`length header ${declared} is impossible for a ${block.length}-byte block`);
  }
  let out: Uint8Array;
  try {
    out = uncompressSync(block, { asBuffer: true }) as Uint8Array;
  } catch (err) {
    throw new SnappyDecodeError((err as Error).message);
  }
  if (out.length !== declared) throw new SnappyDecodeError(`decoded ${out.length} bytes, header said ${declared}`);
  return out;
}

/** Compresses into the snappy block format expected by remote_write receivers. */
export function compressSnappyBlock(data: Uint8Array): Uint8Array {
  return compressSync(data);
}
