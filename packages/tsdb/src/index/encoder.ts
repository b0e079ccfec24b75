// Encoders for the sections of an index file (spec/tsdb-format.md §6). They append to an
// EncodingBuffer and know nothing about stages, files or positions in the file.
import { crc32c, EncodingBuffer } from '../encoding';
import type { ChunkMeta } from './format';

const MAX_U32 = 0xffffffff;

export class IndexWriterError extends Error {
  override readonly name = 'IndexWriterError';
}

/**
 * Appends a `len` (be32) + body + CRC32 section: `body` writes the content, the length
 * is patched in afterwards and the CRC covers exactly the content.
 */
export function putSection(out: EncodingBuffer, what: string, body: (out: EncodingBuffer) => void): void {
  const lenPos = out.length;
  out.putBE32(0);
  body(out);
  const len = out.length - lenPos - 4;
  if (len > MAX_U32) throw new IndexWriterError(`${what} is ${len} bytes, more than a 4-byte length can hold`);
  const bytes = out.bytes;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(lenPos, len);
  out.putBE32(crc32c(bytes, lenPos + 4, out.length));
}

/** The series entry of §6.3: uvarint len, label symbol refs, chunk metas, CRC32. */
export function putSeriesEntry(
  out: EncodingBuffer,
  scratch: EncodingBuffer,
  labelRefs: ArrayLike<number>,
  chunks: readonly ChunkMeta[],
): void {
  scratch.reset();
  scratch.putUvarint(labelRefs.length / 2);
  for (let i = 0; i < labelRefs.length; i++) scratch.putUvarint(labelRefs[i]);
  scratch.putUvarint(chunks.length);
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    if (i === 0) {
      scratch.putVarint(c.mint);
      scratch.putUvarint(c.maxt - c.mint);
      scratch.putUvarint(c.ref);
    } else {
      const prev = chunks[i - 1];
      scratch.putUvarint(c.mint - prev.maxt);
      scratch.putUvarint(c.maxt - c.mint);
      scratch.putVarint(c.ref - prev.ref);
    }
  }
  const body = scratch.bytes;
  out.putUvarint(body.length);
  out.putBytes(body);
  out.putBE32(crc32c(body));
}

/** Checks what §6.3's delta encoding needs: mint <= maxt and chunks in time order without overlap. */
export function validateChunkMetas(chunks: readonly ChunkMeta[], describeSeries: () => string): void {
  const fail = (what: string): never => {
    throw new IndexWriterError(`series ${describeSeries()}: ${what}`);
  };
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    if (!Number.isSafeInteger(c.mint) || !Number.isSafeInteger(c.maxt) || !Number.isSafeInteger(c.ref) || c.ref < 0) {
      fail(`chunk ${i} has invalid fields ${JSON.stringify(c)}`);
    }
    if (c.maxt < c.mint) fail(`chunk ${i} maxt ${c.maxt} < mint ${c.mint}`);
    if (i > 0 && c.mint <= chunks[i - 1].maxt) {
      fail(`chunk ${i} mint ${c.mint} is not after the previous chunk's maxt ${chunks[i - 1].maxt}`);
    }
  }
}

export function putPostingsList(out: EncodingBuffer, refs: ArrayLike<number>): void {
  putSection(out, 'postings list', (o) => {
    o.putBE32(refs.length);
    for (let i = 0; i < refs.length; i++) o.putBE32(refs[i]);
  });
}

/** Legacy label index of one name: its values as symbol refs. */
export function putLabelIndex(out: EncodingBuffer, valueRefs: ArrayLike<number>): void {
  putSection(out, 'label index', (o) => {
    o.putBE32(1);
    o.putBE32(valueRefs.length);
    for (let i = 0; i < valueRefs.length; i++) o.putBE32(valueRefs[i]);
  });
}

/** Legacy label offset table: name -> offset of its label index. */
export function putLabelOffsetTable(out: EncodingBuffer, entries: readonly { name: string; offset: number }[]): void {
  putSection(out, 'label offset table', (o) => {
    o.putBE32(entries.length);
    for (const e of entries) {
      o.putUvarint(1);
      o.putUvarintStr(e.name);
      o.putUvarint(e.offset);
    }
  });
}

export function putPostingsOffsetTable(
  out: EncodingBuffer,
  entries: readonly { name: string; value: string; offset: number }[],
): void {
  putSection(out, 'postings offset table', (o) => {
    o.putBE32(entries.length);
    for (const e of entries) {
      o.putUvarint(2);
      o.putUvarintStr(e.name);
      o.putUvarintStr(e.value);
      o.putUvarint(e.offset);
    }
  });
}
