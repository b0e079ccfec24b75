// Decoders for the sections of an index file (spec/tsdb-format.md §6). Each takes the
// `len` bytes of one section (CRC already checked) and the file offset of their first
// byte, so that every error names the exact place of the damage.
import { DecodingBuffer } from '../encoding';
import type { Label } from '../labels';
import type { ChunkMeta } from './format';

const utf8 = new TextDecoder('utf-8');

/** UTF-8 to string, with a fast path for the (common) short ASCII strings of label sets. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) return utf8.decode(bytes.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8.decode(bytes.subarray(start, end));
}

function readString(d: DecodingBuffer): string {
  const n = d.uvarint();
  const start = d.pos;
  d.skip(n);
  return decodeUtf8(d.bytes, start, d.pos);
}

/** Symbol table: `#symbols` be32, then that many uvarint strings. */
export function decodeSymbolTable(content: Uint8Array, base: number): string[] {
  const d = new DecodingBuffer(content, 0, content.length, base);
  const count = d.be32();
  // Every symbol takes at least its one-byte length: bounds the allocation below.
  if (count > d.remaining) d.fail(`symbol table claims ${count} symbols in ${d.remaining} bytes`, 0);
  const symbols = new Array<string>(count);
  for (let i = 0; i < count; i++) symbols[i] = readString(d);
  if (d.remaining !== 0) d.fail(`${d.remaining} unexpected bytes after the last symbol`);
  return symbols;
}

/** One entry of the postings offset table. */
export interface PostingsOffsetEntry {
  name: string;
  value: string;
  /** File offset of the postings list (its `len` field). */
  offset: number;
}

/**
 * Postings offset table: `#entries` be32, then per entry `2` (uvarint), name, value,
 * offset (uvarint64). Calls `visit` per entry in table order.
 */
export function decodePostingsOffsetTable(
  content: Uint8Array,
  base: number,
  visit: (name: string, value: string, offset: number) => void,
): void {
  const d = new DecodingBuffer(content, 0, content.length, base);
  const count = d.be32();
  if (count > d.remaining / 4) d.fail(`postings offset table claims ${count} entries in ${d.remaining} bytes`, 0);
  let lastNameStart = -1;
  let lastNameEnd = -1;
  let lastName = '';
  for (let i = 0; i < count; i++) {
    const at = d.pos;
    const keys = d.uvarint();
    if (keys !== 2) d.fail(`postings offset entry has ${keys} keys, want 2`, at);
    const n = d.uvarint();
    const start = d.pos;
    d.skip(n);
    // Consecutive entries share their name: decode it once per name.
    if (!sameBytes(content, start, d.pos, lastNameStart, lastNameEnd)) {
      lastName = decodeUtf8(content, start, d.pos);
      lastNameStart = start;
      lastNameEnd = d.pos;
    }
    const value = readString(d);
    visit(lastName, value, d.uvarint());
  }
  if (d.remaining !== 0) d.fail(`${d.remaining} unexpected bytes after the last postings offset entry`);
}

function sameBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let i = 0; i < e1 - s1; i++) if (b[s1 + i] !== b[s2 + i]) return false;
  return true;
}

/** Legacy label offset table: `#entries` be32, then per entry `1` (uvarint), name, offset (uvarint64). */
export function decodeLabelOffsetTable(content: Uint8Array, base: number): { name: string; offset: number }[] {
  const d = new DecodingBuffer(content, 0, content.length, base);
  const count = d.be32();
  if (count > d.remaining / 3) d.fail(`label offset table claims ${count} entries in ${d.remaining} bytes`, 0);
  const out: { name: string; offset: number }[] = [];
  for (let i = 0; i < count; i++) {
    const at = d.pos;
    const keys = d.uvarint();
    if (keys !== 1) d.fail(`label offset entry has ${keys} keys, want 1`, at);
    const name = readString(d);
    out.push({ name, offset: d.uvarint() });
  }
  if (d.remaining !== 0) d.fail(`${d.remaining} unexpected bytes after the last label offset entry`);
  return out;
}

/** Legacy label index: `#names` be32 (1), `#entries` be32, value symbol refs (be32). */
export function decodeLabelIndex(content: Uint8Array, base: number): Uint32Array {
  const d = new DecodingBuffer(content, 0, content.length, base);
  const names = d.be32();
  if (names !== 1) d.fail(`label index has ${names} names, want 1`, 0);
  const count = d.be32();
  if (count * 4 !== d.remaining) d.fail(`label index claims ${count} values but holds ${d.remaining} bytes`, 4);
  return readBE32Array(content, 8, count);
}

/** Postings list: `#entries` be32 and that many be32 series references. */
export function decodePostingsList(content: Uint8Array, base: number): Uint32Array {
  const d = new DecodingBuffer(content, 0, content.length, base);
  const count = d.be32();
  if (count * 4 !== d.remaining) d.fail(`postings list claims ${count} entries but holds ${d.remaining} bytes`, 0);
  return readBE32Array(content, 4, count);
}

function readBE32Array(bytes: Uint8Array, start: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4);
  return out;
}

/** A decoded series entry: its label set and chunk metas. */
export interface SeriesEntry {
  labels: Label[];
  chunks: ChunkMeta[];
}

/**
 * Series entry body (the `len` bytes after the uvarint length): label symbol refs and
 * chunk metas with the delta scheme of §6.3.
 */
export function decodeSeriesEntry(content: Uint8Array, base: number, symbols: readonly string[]): SeriesEntry {
  const d = new DecodingBuffer(content, 0, content.length, base);
  const nLabels = d.uvarint();
  if (nLabels > d.remaining / 2) d.fail(`series claims ${nLabels} labels in ${d.remaining} bytes`, 0);
  const labels: Label[] = new Array(nLabels);
  for (let i = 0; i < nLabels; i++) {
    const name = lookup(d, symbols);
    labels[i] = { name, value: lookup(d, symbols) };
  }
  const nChunks = d.uvarint();
  if (nChunks > d.remaining / 3) d.fail(`series claims ${nChunks} chunks in ${d.remaining} bytes`);
  const chunks: ChunkMeta[] = new Array(nChunks);
  let maxt = 0;
  let ref = 0;
  for (let i = 0; i < nChunks; i++) {
    const mint = i === 0 ? d.varint() : maxt + d.uvarint();
    maxt = mint + d.uvarint();
    ref = i === 0 ? d.uvarint() : ref + d.varint();
    if (ref < 0) d.fail(`chunk ${i} has negative reference ${ref}`);
    chunks[i] = { ref, mint, maxt };
  }
  if (d.remaining !== 0) d.fail(`${d.remaining} unexpected bytes after the last chunk meta`);
  return { labels, chunks };
}

function lookup(d: DecodingBuffer, symbols: readonly string[]): string {
  const at = d.pos;
  const ref = d.uvarint();
  if (ref >= symbols.length) d.fail(`symbol reference ${ref} out of range (${symbols.length} symbols)`, at);
  return symbols[ref];
}
