// The snappy framing ("stream") format, which Thanos's gRPC `snappy` compressor writes
// (github.com/klauspost/compress/snappy's buffered writer): a stream identifier chunk, then
// chunks of at most 64 KiB of data, each compressed as a snappy block or stored, with a masked
// CRC-32C of the data. Not the block format of remote_write bodies.
import { compressSync, uncompressSync } from 'snappy';
import { crc32c } from '@thanos-ts/tsdb';

const STREAM_IDENTIFIER = Uint8Array.of(0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59);
const CHUNK_COMPRESSED = 0x00;
const CHUNK_UNCOMPRESSED = 0x01;
const CHUNK_PADDING = 0xfe;
const CHUNK_STREAM_IDENTIFIER = 0xff;
/** Data per chunk, as the format allows. */
const MAX_CHUNK_DATA = 65_536;

/** A snappy stream that is malformed, fails its checksum, or decodes to more than allowed. */
export class SnappyStreamError extends Error {
  override readonly name = 'SnappyStreamError';
}

/** The CRC-32C of `data`, masked as the framing format requires (so CRCs of CRCs stay useful). */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** Compresses `data` into a snappy stream; chunks that do not shrink are stored. */
export function encodeSnappyStream(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [STREAM_IDENTIFIER];
  for (let at = 0; at < data.length; at += MAX_CHUNK_DATA) {
    const chunk = data.subarray(at, Math.min(at + MAX_CHUNK_DATA, data.length));
    const compressed = compressSync(chunk) as Uint8Array;
    const stored = compressed.length >= chunk.length;
    const body = stored ? chunk : compressed;
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint32(0, ((body.length + 4) << 8) | (stored ? CHUNK_UNCOMPRESSED : CHUNK_COMPRESSED), true);
    view.setUint32(4, maskedCrc32c(chunk), true);
    parts.push(header, body);
  }
  return Buffer.concat(parts);
}

/** Decodes a whole snappy stream, refusing more than `maxDecodedBytes` of output. */
export function decodeSnappyStream(stream: Uint8Array, maxDecodedBytes: number): Uint8Array {
  const out: Uint8Array[] = [];
  let total = 0;
  let sawIdentifier = false;
  for (let at = 0; at < stream.length;) {
    if (at + 4 > stream.length) throw new SnappyStreamError(`chunk header at offset ${at} is truncated`);
    const type = stream[at];
    const length = stream[at + 1] | (stream[at + 2] << 8) | (stream[at + 3] << 16);
    const start = at + 4;
    const end = start + length;
    if (end > stream.length) {
      throw new SnappyStreamError(`chunk at offset ${at} declares ${length} bytes, ${stream.length - start} remain`);
    }
    at = end;
    if (type === CHUNK_STREAM_IDENTIFIER) {
      if (length !== 6 || !sameBytes(stream.subarray(start, end), STREAM_IDENTIFIER.subarray(4))) {
        throw new SnappyStreamError(`bad stream identifier at offset ${start - 4}`);
      }
      sawIdentifier = true;
      continue;
    }
    if (!sawIdentifier) throw new SnappyStreamError('stream does not start with the snappy stream identifier');
    if (type === CHUNK_PADDING || (type >= 0x80 && type <= 0xfd)) continue;
    if (type !== CHUNK_COMPRESSED && type !== CHUNK_UNCOMPRESSED) {
      throw new SnappyStreamError(`reserved unskippable chunk type 0x${type.toString(16)} at offset ${start - 4}`);
    }
    if (length < 4) throw new SnappyStreamError(`chunk at offset ${start - 4} is too short for its checksum`);
    const expectedCrc = new DataView(stream.buffer, stream.byteOffset + start, 4).getUint32(0, true);
    const body = stream.subarray(start + 4, end);
    const data = type === CHUNK_UNCOMPRESSED ? body : uncompressChunk(body, start - 4);
    if (data.length > MAX_CHUNK_DATA) throw new SnappyStreamError(`chunk at offset ${start - 4} holds over 64 KiB`);
    if (maskedCrc32c(data) !== expectedCrc)
      throw new SnappyStreamError(`checksum mismatch in chunk at offset ${start - 4}`);
    total += data.length;
    if (total > maxDecodedBytes) throw new SnappyStreamError(`stream decodes to more than ${maxDecodedBytes} bytes`);
    out.push(data);
  }
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

function uncompressChunk(body: Uint8Array, offset: number): Uint8Array {
  // The block's own length header is checked first: the decoder would allocate whatever it claims.
  if (blockDecodedLength(body) > MAX_CHUNK_DATA)
    throw new SnappyStreamError(`chunk at offset ${offset} holds over 64 KiB`);
  try {
    return uncompressSync(body, { asBuffer: true }) as Uint8Array;
  } catch (err) {
    throw new SnappyStreamError(`chunk at offset ${offset}: ${(err as Error).message}`);
  }
}

/** The uvarint length header of a snappy block (Infinity when it is not a valid one). */
function blockDecodedLength(block: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    value += (block[i] & 0x7f) * 2 ** (7 * i);
    if (block[i] < 0x80) return value;
  }
  return Infinity;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
