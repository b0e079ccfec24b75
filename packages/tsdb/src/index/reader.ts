import { CorruptionError, DecodingBuffer } from '../encoding';
import type { ByteRangeSource } from '../encoding/source';
import { compareStrings } from '../labels';
import type { Matcher } from '../labels/matcher';
import {
  decodeLabelIndex,
  decodeLabelOffsetTable,
  decodePostingsList,
  decodePostingsOffsetTable,
  decodeSeriesEntry,
  decodeSymbolTable,
  type SeriesEntry,
} from './decoder';
import {
  ALL_POSTINGS_NAME,
  ALL_POSTINGS_VALUE,
  decodeToc,
  INDEX_FORMAT_V2,
  INDEX_HEADER_LEN,
  INDEX_MAGIC,
  INDEX_TOC_LEN,
  SERIES_ALIGNMENT,
  verifySectionCrc,
  type IndexToc,
} from './format';
import { mergePostings } from './postings';
import { labelValuesForMatchers, postingsForMatchers, type PostingsReader } from './query';
import { coalesceRanges, type ByteRange } from './ranges';

/** Bytes fetched per series entry before its length is known; longer entries cost a second read. */
const SERIES_READ_AHEAD = 512;
/** Ranges closer than this are fetched with one read (matters for object storage). */
const MAX_READ_GAP = 16 << 10;
const MAX_READ_SPAN = 4 << 20;

interface NamePostings {
  /** Sorted values of one label name. */
  values: string[];
  /** File offset of each value's postings list. */
  offsets: number[];
}

/**
 * Reads an index file (format v2) through a {@link ByteRangeSource}. Opening reads only
 * the header, TOC, symbol table and postings offset table; series entries and postings
 * lists are fetched on demand with range reads, each checked against its CRC32.
 * Format errors are {@link CorruptionError}s naming the source and the file offset.
 */
export class IndexReader implements PostingsReader {
  private readonly names: string[];
  /** Every postings list offset, sorted: the next one bounds the list before it. */
  private readonly sortedOffsets: Float64Array;
  private readonly seriesEnd: number;
  private readonly postingsEnd: number;

  private constructor(
    private readonly source: ByteRangeSource,
    readonly toc: IndexToc,
    private readonly symbolTable: string[],
    private readonly byName: Map<string, NamePostings>,
  ) {
    this.names = [...byName.keys()].filter((n) => n !== ALL_POSTINGS_NAME).sort(compareStrings);
    const all: number[] = [];
    for (const e of byName.values()) for (const o of e.offsets) all.push(o);
    this.sortedOffsets = Float64Array.from(all).sort();
    const tocStart = source.size - INDEX_TOC_LEN;
    this.seriesEnd = firstNonZero([toc.labelIndices, toc.postings, toc.labelIndicesTable, toc.postingsTable], tocStart);
    this.postingsEnd = firstNonZero([toc.labelIndicesTable, toc.postingsTable], tocStart);
  }

  /** Opens an index: validates magic, version and TOC and loads the symbol and postings offset tables. */
  static async open(source: ByteRangeSource): Promise<IndexReader> {
    return inFile(source, async () => {
      if (source.size < INDEX_HEADER_LEN + INDEX_TOC_LEN) {
        throw new CorruptionError(`index file too small (${source.size} bytes)`, undefined, 0);
      }
      const header = new DecodingBuffer(await source.read(0, INDEX_HEADER_LEN));
      const magic = header.be32();
      if (magic !== INDEX_MAGIC) header.fail(`invalid index magic 0x${magic.toString(16)}`, 0);
      const version = header.byte();
      if (version !== INDEX_FORMAT_V2) header.fail(`unsupported index format version ${version} (want 2)`, 4);

      const tocStart = source.size - INDEX_TOC_LEN;
      const toc = decodeToc(await source.read(tocStart, INDEX_TOC_LEN), tocStart);
      if (toc.symbols === 0) throw new CorruptionError('index has no symbol table', undefined, tocStart);
      if (toc.postingsTable === 0) throw new CorruptionError('index has no postings offset table', undefined, tocStart);

      const sym = await readSection(source, toc.symbols, tocStart, 'symbol table');
      const symbols = decodeSymbolTable(sym.content, sym.base);
      const table = await readSection(source, toc.postingsTable, tocStart, 'postings offset table');
      const byName = new Map<string, NamePostings>();
      let current: NamePostings | undefined;
      let currentName = '';
      decodePostingsOffsetTable(table.content, table.base, (name, value, offset) => {
        if (current === undefined || name !== currentName) {
          current = byName.get(name);
          if (current === undefined) byName.set(name, (current = { values: [], offsets: [] }));
          currentName = name;
        }
        const last = current.values.length === 0 ? undefined : current.values[current.values.length - 1];
        if (last !== undefined && compareStrings(value, last) <= 0) {
          throw new CorruptionError(
            `postings offset table not sorted at ${name}=${JSON.stringify(value)}`,
            undefined,
            table.base,
          );
        }
        current.values.push(value);
        current.offsets.push(offset);
      });
      return new IndexReader(source, toc, symbols, byName);
    });
  }

  /** Name of the underlying source (file path or object key). */
  get name(): string {
    return this.source.name;
  }

  get size(): number {
    return this.source.size;
  }

  /** All symbols in sorted order (including the empty string Prometheus writes). */
  symbols(): readonly string[] {
    return this.symbolTable;
  }

  lookupSymbol(ref: number): string {
    if (!(ref >= 0 && ref < this.symbolTable.length)) throw new RangeError(`symbol reference ${ref} out of range`);
    return this.symbolTable[ref];
  }

  /** Sorted label names of all series. */
  labelNames(): readonly string[] {
    return this.names;
  }

  /** Sorted values of a label name (empty when the name does not occur). */
  labelValues(name: string): readonly string[] {
    return this.byName.get(name)?.values ?? [];
  }

  /** Sorted references of all series. */
  allPostings(): Promise<Uint32Array> {
    return this.postingsList(ALL_POSTINGS_NAME, ALL_POSTINGS_VALUE);
  }

  /** Sorted references of the series with `name` equal to `value`. */
  async postingsList(name: string, value: string): Promise<Uint32Array> {
    const off = this.postingsOffset(name, value);
    if (off === undefined) return new Uint32Array(0);
    return (await this.readPostingsLists([off]))[0];
  }

  /** Sorted, deduplicated references of the series whose `name` has any of `values`. */
  async postings(name: string, values: string | readonly string[]): Promise<Uint32Array | number[]> {
    const list = typeof values === 'string' ? [values] : values;
    const offsets: number[] = [];
    for (const v of list) {
      const off = this.postingsOffset(name, v);
      if (off !== undefined) offsets.push(off);
    }
    if (offsets.length === 0) return new Uint32Array(0);
    const lists = await this.readPostingsLists(offsets);
    return lists.length === 1 ? lists[0] : mergePostings(lists);
  }

  /** The postings list of each value (empty for values that do not occur), fetched with shared reads. */
  async postingsPerValue(name: string, values: readonly string[]): Promise<Uint32Array[]> {
    const offsets = values.map((v) => this.postingsOffset(name, v));
    const present = offsets.filter((o): o is number => o !== undefined);
    const lists = present.length === 0 ? [] : await this.readPostingsLists(present);
    let next = 0;
    return offsets.map((o) => (o === undefined ? new Uint32Array(0) : lists[next++]));
  }

  /** Series references matching all matchers, with Prometheus's semantics (see {@link postingsForMatchers}). */
  postingsForMatchers(matchers: readonly Matcher[]): Promise<number[]> {
    return postingsForMatchers(this, matchers);
  }

  /** Labels and chunk metas of one series. */
  async series(ref: number): Promise<SeriesEntry> {
    return (await this.seriesMany([ref]))[0];
  }

  /** Labels and chunk metas of several series, fetching neighbouring entries with shared reads. */
  async seriesMany(refs: ArrayLike<number>): Promise<SeriesEntry[]> {
    return inFile(this.source, async () => {
      const ranges: ByteRange[] = [];
      for (let i = 0; i < refs.length; i++) {
        const start = refs[i] * SERIES_ALIGNMENT;
        if (!Number.isInteger(start) || start < this.toc.series || start >= this.seriesEnd) {
          throw new CorruptionError(`series reference ${refs[i]} points outside the series section`, undefined, start);
        }
        ranges.push({ start, end: Math.min(start + SERIES_READ_AHEAD, this.seriesEnd) });
      }
      const chunks = await this.readRanges(ranges);
      const out: SeriesEntry[] = new Array(ranges.length);
      for (let i = 0; i < ranges.length; i++) {
        const e = this.decodeSeriesAt(ranges[i].start, chunks[i]);
        out[i] = e instanceof Promise ? await e : e;
      }
      return out;
    });
  }

  /** Sorted label names used by any of the given series (Prometheus's `LabelNamesFor`). */
  async labelNamesFor(refs: ArrayLike<number>): Promise<string[]> {
    const names = new Set<string>();
    for (const s of await this.seriesMany(refs)) for (const l of s.labels) names.add(l.name);
    return [...names].sort(compareStrings);
  }

  /** Sorted values of `name` among the series selected by `matchers`. */
  labelValuesFor(name: string, matchers: readonly Matcher[]): Promise<string[]> {
    return labelValuesForMatchers(this, name, matchers);
  }

  /** Legacy label indices, by name (for checks: current readers use the postings offset table). */
  async legacyLabelIndices(): Promise<Map<string, string[]>> {
    return inFile(this.source, async () => {
      const out = new Map<string, string[]>();
      if (this.toc.labelIndicesTable === 0) return out;
      const limit = this.source.size - INDEX_TOC_LEN;
      const table = await readSection(this.source, this.toc.labelIndicesTable, limit, 'label offset table');
      for (const e of decodeLabelOffsetTable(table.content, table.base)) {
        const s = await readSection(this.source, e.offset, limit, `label index of ${e.name}`);
        out.set(
          e.name,
          Array.from(decodeLabelIndex(s.content, s.base), (ref) => this.symbolAt(ref, s.base)),
        );
      }
      return out;
    });
  }

  close(): void | Promise<void> {
    return this.source.close?.();
  }

  private symbolAt(ref: number, at: number): string {
    if (ref >= this.symbolTable.length)
      throw new CorruptionError(`symbol reference ${ref} out of range`, undefined, at);
    return this.symbolTable[ref];
  }

  private postingsOffset(name: string, value: string): number | undefined {
    const e = this.byName.get(name);
    if (e === undefined) return undefined;
    const i = lowerBound(e.values, value);
    return i < e.values.length && e.values[i] === value ? e.offsets[i] : undefined;
  }

  private async readPostingsLists(offsets: number[]): Promise<Uint32Array[]> {
    return inFile(this.source, async () => {
      const ranges = offsets.map((start) => {
        if (start < this.toc.postings || start >= this.postingsEnd) {
          throw new CorruptionError(`postings list offset ${start} outside the postings section`, undefined, start);
        }
        return { start, end: this.nextOffsetAfter(start) };
      });
      const chunks = await this.readRanges(ranges);
      const out: Uint32Array[] = [];
      for (let i = 0; i < ranges.length; i++) {
        const s = await sectionIn(this.source, chunks[i], ranges[i].start, this.postingsEnd, 'postings list');
        out.push(decodePostingsList(s.content, s.base));
      }
      return out;
    });
  }

  private nextOffsetAfter(off: number): number {
    const a = this.sortedOffsets;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= off) lo = mid + 1;
      else hi = mid;
    }
    return lo < a.length && a[lo] < this.postingsEnd ? a[lo] : this.postingsEnd;
  }

  /** The series entry at `start`, whose first bytes are `buf`; waits only when `buf` holds less than the entry. */
  private decodeSeriesAt(start: number, buf: Uint8Array): SeriesEntry | Promise<SeriesEntry> {
    const d = new DecodingBuffer(buf, 0, buf.length, start);
    const len = d.uvarint();
    const at = d.pos;
    const total = at + len + 4;
    if (start + total > this.seriesEnd) {
      d.fail(`series entry of ${len} bytes runs past the end of the series section (${this.seriesEnd})`, 0);
    }
    if (total <= buf.length) return this.decodeSeriesBytes(buf, at, len, start);
    return Promise.resolve(this.source.read(start, total)).then((b) => this.decodeSeriesBytes(b, at, len, start));
  }

  /** The entry of `len` bytes plus CRC at `bytes[at]`, `start` being the file offset of `bytes`. */
  private decodeSeriesBytes(bytes: Uint8Array, at: number, len: number, start: number): SeriesEntry {
    const entry = bytes.subarray(at, at + len + 4);
    verifySectionCrc(entry, start + at, 'series entry');
    return decodeSeriesEntry(entry.subarray(0, len), start + at, this.symbolTable);
  }

  /** Reads each range, fetching ranges that are close together with one read. */
  private async readRanges(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const groups = coalesceRanges(ranges, MAX_READ_GAP, MAX_READ_SPAN);
    const out: Uint8Array[] = new Array(ranges.length);
    await Promise.all(
      groups.map(async (g) => {
        const bytes = await this.source.read(g.start, g.end - g.start);
        for (const i of g.members) out[i] = bytes.subarray(ranges[i].start - g.start, ranges[i].end - g.start);
      }),
    );
    return out;
  }
}

/**
 * A `len` + content + CRC section at `offset`, checked to end before `limit`. Reads the
 * length first, then exactly the section.
 */
async function readSection(
  source: ByteRangeSource,
  offset: number,
  limit: number,
  what: string,
): Promise<{ content: Uint8Array; base: number }> {
  if (offset + 4 > limit)
    throw new CorruptionError(`${what} starts past the end of its area (${limit})`, undefined, offset);
  return sectionIn(source, await source.read(offset, 4), offset, limit, what);
}

/**
 * The section starting at `buf[0]` (file offset `offset`): uses `buf` when it holds the
 * whole section, otherwise reads the section again with its exact length.
 */
async function sectionIn(
  source: ByteRangeSource,
  buf: Uint8Array,
  offset: number,
  limit: number,
  what: string,
): Promise<{ content: Uint8Array; base: number }> {
  const len = new DecodingBuffer(buf, 0, buf.length, offset).be32();
  if (offset + 8 + len > limit) {
    throw new CorruptionError(`${what} length ${len} runs past the end of its area (${limit})`, undefined, offset);
  }
  const bytes = buf.length >= 8 + len ? buf.subarray(0, 8 + len) : await source.read(offset, 8 + len);
  const body = bytes.subarray(4);
  verifySectionCrc(body, offset + 4, what);
  return { content: body.subarray(0, len), base: offset + 4 };
}

/** Runs `fn`, attributing its corruption errors to the source. */
async function inFile<T>(source: ByteRangeSource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CorruptionError && e.file === undefined) throw e.inFile(source.name);
    throw e;
  }
}

function firstNonZero(refs: number[], fallback: number): number {
  for (const r of refs) if (r !== 0) return r;
  return fallback;
}

function lowerBound(sorted: readonly string[], v: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStrings(sorted[mid], v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
