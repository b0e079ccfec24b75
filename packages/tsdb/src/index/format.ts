// Constants and small shared pieces of the index file format v2 (spec/tsdb-format.md §6).
import { CorruptionError, crc32c, DecodingBuffer, EncodingBuffer } from '../encoding';

export const INDEX_MAGIC = 0xbaaad700;
export const INDEX_FORMAT_V2 = 2;
/** Magic (4) + version (1): the symbol table starts right after. */
export const INDEX_HEADER_LEN = 5;
/** Six be64 section references and a CRC32. */
export const INDEX_TOC_LEN = 6 * 8 + 4;
/** Series entries start at multiples of this; a series reference is its offset divided by it. */
export const SERIES_ALIGNMENT = 16;
/** Label index sections and postings lists start at multiples of this. */
export const LIST_ALIGNMENT = 4;
/** The postings list of every series is stored under this (name, value) pair. */
export const ALL_POSTINGS_NAME = '';
export const ALL_POSTINGS_VALUE = '';

/** Where each section of an index file starts (`TOC` in Prometheus). Zero means absent. */
export interface IndexToc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}

/** The chunk of a series as the index records it: time range and chunk reference (§3). */
export interface ChunkMeta {
  /** Segment index in the upper 32 bits, byte offset in the segment in the lower 32 (as a safe integer). */
  readonly ref: number;
  readonly mint: number;
  readonly maxt: number;
}

export function encodeToc(toc: IndexToc, out: EncodingBuffer): void {
  const start = out.length;
  out.putBE64(toc.symbols);
  out.putBE64(toc.series);
  out.putBE64(toc.labelIndices);
  out.putBE64(toc.labelIndicesTable);
  out.putBE64(toc.postings);
  out.putBE64(toc.postingsTable);
  out.putBE32(crc32c(out.bytes, start, out.length));
}

/** Decodes the 52-byte TOC found at `base` in the file and checks its CRC and references. */
export function decodeToc(bytes: Uint8Array, base: number): IndexToc {
  const d = new DecodingBuffer(bytes, 0, bytes.length, base);
  if (bytes.length !== INDEX_TOC_LEN) d.fail(`TOC must be ${INDEX_TOC_LEN} bytes, got ${bytes.length}`, 0);
  const want = d.view.getUint32(INDEX_TOC_LEN - 4);
  const got = crc32c(bytes, 0, INDEX_TOC_LEN - 4);
  if (want !== got) d.fail(`TOC checksum mismatch: stored 0x${hex(want)}, computed 0x${hex(got)}`, INDEX_TOC_LEN - 4);
  const toc: IndexToc = {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelIndicesTable: d.be64(),
    postings: d.be64(),
    postingsTable: d.be64(),
  };
  for (const [key, ref] of Object.entries(toc)) {
    if (ref !== 0 && (ref < INDEX_HEADER_LEN || ref > base)) {
      d.fail(`TOC reference ${key}=${ref} is outside the file's sections [${INDEX_HEADER_LEN}, ${base}]`, 0);
    }
  }
  return toc;
}

export function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}

/**
 * Checks the CRC32 that follows a section's `len` bytes. `bytes` holds the `len`
 * bytes and the 4-byte CRC; `base` is the file offset of `bytes[0]`.
 */
export function verifySectionCrc(bytes: Uint8Array, base: number, what: string): void {
  const n = bytes.length - 4;
  const want = ((bytes[n] << 24) | (bytes[n + 1] << 16) | (bytes[n + 2] << 8) | bytes[n + 3]) >>> 0;
  const got = crc32c(bytes, 0, n);
  if (want !== got) {
    throw new CorruptionError(
      `${what} checksum mismatch: stored 0x${hex(want)}, computed 0x${hex(got)}`,
      undefined,
      base + n,
    );
  }
}
