import { CorruptionError, crc32c, uvarintSize, writeUvarint } from '../encoding';
import type { Chunk } from '../chunkenc';

/** Magic number at the start of every block chunk segment file. */
export const CHUNKS_MAGIC = 0x85bd40dd;
export const CHUNKS_FORMAT_V1 = 1;
export const SEGMENT_HEADER_SIZE = 8;
/** Prometheus' `DefaultChunkSegmentSize`. */
export const DEFAULT_SEGMENT_SIZE = 512 * 1024 * 1024;
/** Upper bound of the chunk length uvarint that the writer's fit check assumes. */
export const MAX_CHUNK_LENGTH_FIELD_SIZE = 5;
const TWO_32 = 4294967296;
/** Segment indexes stay below 2^21 so that refs are exact JS numbers. */
const MAX_SEGMENT_INDEX = 2 ** 21 - 1;

/** `(segmentIndex << 32) | offset` as Prometheus' `NewBlockChunkRef`, as an exact JS number. */
export function packChunkRef(segmentIndex: number, offset: number): number {
  if (segmentIndex < 0 || segmentIndex > MAX_SEGMENT_INDEX || !Number.isInteger(segmentIndex)) {
    throw new RangeError(`segment index ${segmentIndex} out of range`);
  }
  if (offset < 0 || offset >= TWO_32 || !Number.isInteger(offset))
    throw new RangeError(`chunk offset ${offset} out of range`);
  return segmentIndex * TWO_32 + offset;
}

/** 0-based segment index (file number − 1) of a block chunk ref. */
export function chunkRefSegment(ref: number): number {
  return Math.floor(ref / TWO_32);
}

/** Byte offset of the chunk within its segment file. */
export function chunkRefOffset(ref: number): number {
  return ref % TWO_32;
}

/** Segment file name for a 0-based segment index: `000001` for 0. */
export function segmentFileName(segmentIndex: number): string {
  return String(segmentIndex + 1).padStart(6, '0');
}

export function segmentHeader(): Uint8Array {
  const h = new Uint8Array(SEGMENT_HEADER_SIZE);
  new DataView(h.buffer).setUint32(0, CHUNKS_MAGIC);
  h[4] = CHUNKS_FORMAT_V1;
  return h;
}

/** Bytes a chunk occupies in a segment: uvarint(len) + encoding + data + CRC. */
export function chunkEntrySize(chunk: Chunk): number {
  return uvarintSize(chunk.data.length) + 1 + chunk.data.length + 4;
}

/** Writes one chunk entry at `pos`; returns the position after it. `out` must have room. */
export function encodeChunkEntry(out: Uint8Array, pos: number, chunk: Chunk): number {
  pos = writeUvarint(out, pos, chunk.data.length);
  const encStart = pos;
  out[pos++] = chunk.encoding;
  out.set(chunk.data, pos);
  pos += chunk.data.length;
  const crc = crc32c(out, encStart, pos);
  out[pos++] = crc >>> 24;
  out[pos++] = (crc >>> 16) & 0xff;
  out[pos++] = (crc >>> 8) & 0xff;
  out[pos++] = crc & 0xff;
  return pos;
}

/** Checks the 8-byte segment header; `file` names the segment in errors. */
export function checkSegmentHeader(header: Uint8Array, file: string): void {
  if (header.length < SEGMENT_HEADER_SIZE) {
    throw new CorruptionError(
      `segment of ${header.length} bytes is shorter than its ${SEGMENT_HEADER_SIZE}-byte header`,
      file,
      0,
    );
  }
  const magic = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
  if (magic !== CHUNKS_MAGIC) throw new CorruptionError(`invalid chunk segment magic 0x${magic.toString(16)}`, file, 0);
  if (header[4] !== CHUNKS_FORMAT_V1)
    throw new CorruptionError(`unsupported chunk format version ${header[4]}`, file, 4);
}

/**
 * Reads the chunk length uvarint at `b[at]`; `offset` (the entry's file offset) names it in
 * errors. The field's size in bytes is {@link chunkLengthFieldSize}.
 */
export function readChunkLength(b: Uint8Array, at: number, file: string, offset: number): number {
  let len = 0;
  let mul = 1;
  const end = Math.min(b.length, at + MAX_CHUNK_LENGTH_FIELD_SIZE);
  for (let i = at; i < end; i++) {
    const byte = b[i];
    len += (byte & 0x7f) * mul;
    if (byte < 0x80) return len;
    mul *= 128;
  }
  throw new CorruptionError('unreadable chunk length', file, offset);
}

/** Bytes of the (readable) chunk length uvarint at `b[at]`. */
export function chunkLengthFieldSize(b: Uint8Array, at: number): number {
  let i = at;
  while (b[i] >= 0x80) i++;
  return i - at + 1;
}

/**
 * Decodes the chunk entry `b[start, end)` (encoding byte, data, CRC), verifying the CRC
 * unless `verifyChecksum` is false. `offset` is the entry's file offset, for errors. The
 * data is a view of `b`.
 */
export function decodeChunkBody(
  b: Uint8Array,
  start: number,
  end: number,
  file: string,
  offset: number,
  verifyChecksum = true,
): Chunk {
  const crcAt = end - 4;
  if (verifyChecksum) {
    const want = ((b[crcAt] << 24) | (b[crcAt + 1] << 16) | (b[crcAt + 2] << 8) | b[crcAt + 3]) >>> 0;
    const got = crc32c(b, start, crcAt);
    if (got !== want) {
      throw new CorruptionError(
        `chunk checksum mismatch: stored 0x${want.toString(16)}, computed 0x${got.toString(16)}`,
        file,
        offset,
      );
    }
  }
  return { encoding: b[start], data: b.subarray(start + 1, crcAt) };
}

/** A chunk found by {@link walkChunkSegment}, with its offset in the segment. */
export interface SegmentChunk {
  offset: number;
  chunk: Chunk;
}

/** Walks a whole in-memory segment file chunk by chunk, checking header and every CRC. */
export function* walkChunkSegment(bytes: Uint8Array, file = '<segment>'): Generator<SegmentChunk> {
  checkSegmentHeader(bytes, file);
  let pos = SEGMENT_HEADER_SIZE;
  while (pos < bytes.length) {
    const len = readChunkLength(bytes, pos, file, pos);
    const n = chunkLengthFieldSize(bytes, pos);
    const end = pos + n + 1 + len + 4;
    if (end > bytes.length) {
      throw new CorruptionError(
        `chunk of ${len} bytes runs past the end of the ${bytes.length}-byte segment`,
        file,
        pos,
      );
    }
    yield { offset: pos, chunk: decodeChunkBody(bytes, pos + n, end, file, pos) };
    pos = end;
  }
}
