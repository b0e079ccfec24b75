import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptionError, DecodingBuffer, EncodingBuffer, crc32c } from '../encoding';
import { TombstoneSet } from './tombstone-set';

export const TOMBSTONES_FILENAME = 'tombstones';
export const TOMBSTONES_MAGIC = 0x0130ba30;
export const TOMBSTONES_FORMAT_V1 = 1;
const HEADER_SIZE = 5;
const CRC_SIZE = 4;

/**
 * The tombstones file: magic, version, then `uvarint ref, varint mint, varint maxt` per
 * interval, then CRC32C over the intervals. Series are written in ascending ref order
 * (Prometheus uses map order; readers must not care).
 */
export function encodeTombstones(set: TombstoneSet): Uint8Array {
  const e = new EncodingBuffer(64);
  e.putBE32(TOMBSTONES_MAGIC);
  e.putByte(TOMBSTONES_FORMAT_V1);
  for (const [ref, intervals] of set.entries()) {
    for (const iv of intervals) {
      e.putUvarint(ref);
      e.putVarint(iv.mint);
      e.putVarint(iv.maxt);
    }
  }
  e.putBE32(crc32c(e.bytes, HEADER_SIZE));
  return e.bytes.slice();
}

/** Parses a tombstones file; damage throws a {@link CorruptionError} naming `file` and the offset. */
export function decodeTombstones(bytes: Uint8Array, file = TOMBSTONES_FILENAME): TombstoneSet {
  try {
    if (bytes.length < HEADER_SIZE + CRC_SIZE) {
      throw new CorruptionError(`tombstones file of ${bytes.length} bytes is shorter than header and checksum`);
    }
    const end = bytes.length - CRC_SIZE;
    const d = new DecodingBuffer(bytes, 0, end);
    const magic = d.be32();
    if (magic !== TOMBSTONES_MAGIC)
      throw new CorruptionError(`invalid tombstones magic 0x${magic.toString(16)}`, undefined, 0);
    const version = d.byte();
    if (version !== TOMBSTONES_FORMAT_V1)
      throw new CorruptionError(`unsupported tombstones version ${version}`, undefined, 4);
    const want = new DataView(bytes.buffer, bytes.byteOffset + end, CRC_SIZE).getUint32(0);
    const got = crc32c(bytes, HEADER_SIZE, end);
    if (want !== got) {
      throw new CorruptionError(
        `tombstones checksum mismatch: stored 0x${want.toString(16)}, computed 0x${got.toString(16)}`,
        undefined,
        end,
      );
    }
    const set = new TombstoneSet();
    while (d.remaining > 0) {
      const ref = d.uvarint();
      const mint = d.varint();
      const maxt = d.varint();
      set.add(ref, { mint, maxt });
    }
    return set;
  } catch (e) {
    if (e instanceof CorruptionError) throw e.inFile(file);
    throw e;
  }
}

/** Reads `<dir>/tombstones`; a missing file means no tombstones (size 0). */
export function readTombstones(dir: string): { tombstones: TombstoneSet; size: number } {
  const path = join(dir, TOMBSTONES_FILENAME);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { tombstones: new TombstoneSet(), size: 0 };
    throw e;
  }
  return { tombstones: decodeTombstones(bytes, path), size: bytes.length };
}

/** Writes `<dir>/tombstones` atomically; returns its size. */
export function writeTombstones(dir: string, set: TombstoneSet): number {
  const path = join(dir, TOMBSTONES_FILENAME);
  const bytes = encodeTombstones(set);
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  return bytes.length;
}
