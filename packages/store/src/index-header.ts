// The index-header of Thanos's store gateway (spec §9): the parts of a block's index
// every query needs (TOC, symbols, postings offset table), copied by range reads into
// one local file so that a restart does not fetch them again. The rest of the index
// (series, postings lists) stays in the bucket and is read by range on demand.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CorruptionError, crc32c, INDEX_TOC_LEN, type ByteRangeSource } from '@thanos-ts/tsdb';

export const INDEX_HEADER_MAGIC = 0xbaaad792;
export const INDEX_HEADER_VERSION = 1;
export const INDEX_HEADER_FILENAME = 'index-header';
const INDEX_MAGIC = 0xbaaad700;
/** magic u32, version u8, index version u8, postings offset table offset u64. */
const HEADER_LEN = 14;
/** symbols offset u64, postings offset table offset u64, crc32c. */
const HEADER_TOC_LEN = 20;

/** What an index-header holds, with offsets as they are in the block's index. */
export interface IndexHeader {
  indexVersion: number;
  /** Size of the block's index file. */
  indexSize: number;
  symbolsOffset: number;
  /** `index[symbolsOffset : toc.series]`. */
  symbols: Uint8Array;
  postingsTableOffset: number;
  /** `index[postingsTableOffset : indexSize]`, the index TOC included. */
  postingsTableToEnd: Uint8Array;
}

function be64(view: DataView, at: number): number {
  return view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
}

function putBe64(view: DataView, at: number, v: number): void {
  view.setUint32(at, Math.floor(v / 2 ** 32));
  view.setUint32(at + 4, v % 2 ** 32);
}

/** Builds the header from range reads of the block's index (four reads). */
export async function buildIndexHeader(index: ByteRangeSource): Promise<IndexHeader> {
  if (index.size < 5 + INDEX_TOC_LEN)
    throw new CorruptionError(`index file too small (${index.size} bytes)`, index.name, 0);
  const head = await index.read(0, 5);
  const hv = new DataView(head.buffer, head.byteOffset, head.length);
  if (hv.getUint32(0) !== INDEX_MAGIC)
    throw new CorruptionError(`invalid index magic 0x${hv.getUint32(0).toString(16)}`, index.name, 0);
  const tocAt = index.size - INDEX_TOC_LEN;
  const toc = await index.read(tocAt, INDEX_TOC_LEN);
  const tv = new DataView(toc.buffer, toc.byteOffset, toc.length);
  const want = tv.getUint32(INDEX_TOC_LEN - 4);
  const got = crc32c(toc, 0, INDEX_TOC_LEN - 4);
  if (want !== got) {
    throw new CorruptionError(
      `index TOC checksum mismatch: stored 0x${want.toString(16)}, computed 0x${got.toString(16)}`,
      index.name,
      tocAt,
    );
  }
  const symbolsOffset = be64(tv, 0);
  const seriesOffset = be64(tv, 8);
  const postingsTableOffset = be64(tv, 40);
  if (!(
    symbolsOffset >= 5 &&
    seriesOffset > symbolsOffset &&
    postingsTableOffset > seriesOffset &&
    postingsTableOffset < tocAt
  )) {
    throw new CorruptionError(
      `index TOC sections out of order (symbols ${symbolsOffset}, series ${seriesOffset}, postings table ${postingsTableOffset})`,
      index.name,
      tocAt,
    );
  }
  const [symbols, postingsTableToEnd] = await Promise.all([
    index.read(symbolsOffset, seriesOffset - symbolsOffset),
    index.read(postingsTableOffset, index.size - postingsTableOffset),
  ]);
  return {
    indexVersion: head[4],
    indexSize: index.size,
    symbolsOffset,
    symbols,
    postingsTableOffset,
    postingsTableToEnd,
  };
}

/** The Thanos index-header file layout (big-endian, spec §9). */
export function encodeIndexHeader(h: IndexHeader): Uint8Array {
  const out = new Uint8Array(HEADER_LEN + h.symbols.length + h.postingsTableToEnd.length + HEADER_TOC_LEN);
  const v = new DataView(out.buffer);
  v.setUint32(0, INDEX_HEADER_MAGIC);
  out[4] = INDEX_HEADER_VERSION;
  out[5] = h.indexVersion;
  putBe64(v, 6, h.postingsTableOffset);
  out.set(h.symbols, HEADER_LEN);
  const postingsAt = HEADER_LEN + h.symbols.length;
  out.set(h.postingsTableToEnd, postingsAt);
  const tocAt = postingsAt + h.postingsTableToEnd.length;
  putBe64(v, tocAt, HEADER_LEN);
  putBe64(v, tocAt + 8, postingsAt);
  v.setUint32(tocAt + 16, crc32c(out, tocAt, tocAt + 16));
  return out;
}

/** Parses an index-header file; `symbolsOffset` comes from the index TOC copied at its end. */
export function decodeIndexHeader(b: Uint8Array, name: string): IndexHeader {
  if (b.length < HEADER_LEN + HEADER_TOC_LEN + INDEX_TOC_LEN)
    throw new CorruptionError(`index-header too small (${b.length} bytes)`, name, 0);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  if (v.getUint32(0) !== INDEX_HEADER_MAGIC)
    throw new CorruptionError(`invalid index-header magic 0x${v.getUint32(0).toString(16)}`, name, 0);
  if (b[4] !== INDEX_HEADER_VERSION) throw new CorruptionError(`unsupported index-header version ${b[4]}`, name, 4);
  const tocAt = b.length - HEADER_TOC_LEN;
  if (v.getUint32(tocAt + 16) !== crc32c(b, tocAt, tocAt + 16))
    throw new CorruptionError('index-header TOC checksum mismatch', name, tocAt);
  const symbolsAt = be64(v, tocAt);
  const postingsAt = be64(v, tocAt + 8);
  if (symbolsAt !== HEADER_LEN || postingsAt < symbolsAt || postingsAt > tocAt) {
    throw new CorruptionError(`index-header TOC offsets out of range (${symbolsAt}, ${postingsAt})`, name, tocAt);
  }
  const postingsTableOffset = be64(v, 6);
  const postingsTableToEnd = b.subarray(postingsAt, tocAt);
  const indexToc = new DataView(b.buffer, b.byteOffset + tocAt - INDEX_TOC_LEN, INDEX_TOC_LEN);
  return {
    indexVersion: b[5],
    indexSize: postingsTableOffset + postingsTableToEnd.length,
    symbolsOffset: be64(indexToc, 0),
    symbols: b.subarray(symbolsAt, postingsAt),
    postingsTableOffset,
    postingsTableToEnd,
  };
}

/**
 * Reads `path` if it holds a valid header of an index of `remote.size` bytes, otherwise
 * builds one from `remote` and writes it to `path` (atomically). `built` tells which.
 */
export async function loadIndexHeader(
  path: string,
  remote: ByteRangeSource,
): Promise<{ header: IndexHeader; built: boolean }> {
  try {
    const header = decodeIndexHeader(new Uint8Array(await readFile(path)), path);
    if (header.indexSize === remote.size) return { header, built: false };
  } catch {
    // Missing, stale or damaged: rebuild below.
  }
  const header = await buildIndexHeader(remote);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  await writeFile(tmp, encodeIndexHeader(header));
  await rename(tmp, path);
  return { header, built: true };
}

interface Region {
  start: number;
  bytes: Uint8Array;
}

/**
 * The block's index as a {@link ByteRangeSource} whose header, symbols and postings
 * offset table come from the index-header in memory and everything else from `remote`.
 */
export class IndexHeaderSource implements ByteRangeSource {
  private readonly regions: Region[];

  constructor(
    header: IndexHeader,
    private readonly remote: ByteRangeSource,
  ) {
    const magic = new Uint8Array(5);
    new DataView(magic.buffer).setUint32(0, INDEX_MAGIC);
    magic[4] = header.indexVersion;
    this.regions = [
      { start: 0, bytes: magic },
      { start: header.symbolsOffset, bytes: header.symbols },
      { start: header.postingsTableOffset, bytes: header.postingsTableToEnd },
    ];
  }

  get name(): string {
    return this.remote.name;
  }

  get size(): number {
    return this.remote.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = offset + length;
    const parts: Uint8Array[] = [];
    let pos = offset;
    while (pos < end) {
      const local = this.regions.find((r) => pos >= r.start && pos < r.start + r.bytes.length);
      if (local) {
        const upto = Math.min(end, local.start + local.bytes.length);
        parts.push(local.bytes.subarray(pos - local.start, upto - local.start));
        pos = upto;
        continue;
      }
      let upto = end;
      for (const r of this.regions) if (r.start > pos && r.start < upto) upto = r.start;
      parts.push(await this.remote.read(pos, upto - pos));
      pos = upto;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
