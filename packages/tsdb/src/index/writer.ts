import { EncodingBuffer } from '../encoding';
import { compareLabels, compareStrings, labelsToString, type Labels } from '../labels';
import {
  IndexWriterError,
  putLabelIndex,
  putLabelOffsetTable,
  putPostingsList,
  putPostingsOffsetTable,
  putSection,
  putSeriesEntry,
  validateChunkMetas,
} from './encoder';
import {
  ALL_POSTINGS_NAME,
  ALL_POSTINGS_VALUE,
  encodeToc,
  INDEX_FORMAT_V2,
  INDEX_HEADER_LEN,
  INDEX_MAGIC,
  LIST_ALIGNMENT,
  SERIES_ALIGNMENT,
  type ChunkMeta,
  type IndexToc,
} from './format';
import { FileIndexSink, MemoryIndexSink, type IndexSink } from './sink';

const FLUSH_THRESHOLD = 1 << 20;
const MAX_SERIES_ID = 0xffffffff;

type Stage = 'symbols' | 'series' | 'done';

/**
 * Writes an index file in format v2 exactly as Prometheus 2.42 does (byte-identical for
 * the same input). Call order: `addSymbol` for every label name and value in sorted
 * order (use {@link collectSymbols}), then `addSeries` in label-set order, then `close`.
 *
 * Postings are kept in memory (one number per label of every series) and written at
 * `close`; the bytes go to the sink in large batches.
 */
export class IndexWriter {
  private out = new EncodingBuffer(1 << 16);
  private scratch = new EncodingBuffer(256);
  /** Bytes already handed to the sink; the file position is `flushed + out.length`. */
  private flushed = 0;
  private stage: Stage = 'symbols';
  private symbolBuf = new EncodingBuffer(1 << 12);
  private symbolRefs = new Map<string, number>();
  private symbolList: string[] = [];
  private lastSeries: Labels | undefined;
  private allSeries: number[] = [];
  /** Label name symbol ref -> value symbol ref -> series IDs in increasing order. */
  private postings = new Map<number, Map<number, number[]>>();
  private labelRefs: number[] = [];
  private toc: IndexToc = {
    symbols: 0,
    series: 0,
    labelIndices: 0,
    labelIndicesTable: 0,
    postings: 0,
    postingsTable: 0,
  };

  constructor(private readonly sink: IndexSink) {
    this.out.putBE32(INDEX_MAGIC);
    this.out.putByte(INDEX_FORMAT_V2);
  }

  /** A writer to a new file at `path`. */
  static toFile(path: string): IndexWriter {
    return new IndexWriter(new FileIndexSink(path));
  }

  /** A writer to memory; read the result from `sink.bytes()` after `close`. */
  static inMemory(): { writer: IndexWriter; sink: MemoryIndexSink } {
    const sink = new MemoryIndexSink();
    return { writer: new IndexWriter(sink), sink };
  }

  private get pos(): number {
    return this.flushed + this.out.length;
  }

  /** Adds the next symbol; symbols must come in strictly increasing UTF-8 byte order. */
  addSymbol(symbol: string): void {
    if (this.stage !== 'symbols') throw new IndexWriterError(`symbol ${JSON.stringify(symbol)} added after the series`);
    const last = this.symbolList.length === 0 ? undefined : this.symbolList[this.symbolList.length - 1];
    if (last !== undefined && compareStrings(symbol, last) <= 0) {
      throw new IndexWriterError(`symbol ${JSON.stringify(symbol)} out of order after ${JSON.stringify(last)}`);
    }
    this.symbolRefs.set(symbol, this.symbolList.length);
    this.symbolList.push(symbol);
    this.symbolBuf.putUvarintStr(symbol);
  }

  addSymbols(symbols: Iterable<string>): void {
    for (const s of symbols) this.addSymbol(s);
  }

  /**
   * Adds a series with its chunk metas (sorted by time, not overlapping). Series must come
   * in strictly increasing `compareLabels` order. Returns the series reference that the
   * postings use (file offset / 16).
   */
  addSeries(labels: Labels, chunks: readonly ChunkMeta[] = []): number {
    if (this.stage === 'symbols') this.finishSymbols();
    else if (this.stage === 'done') throw new IndexWriterError('series added after close');
    if (labels.length === 0) throw new IndexWriterError('series with no labels');
    if (this.lastSeries !== undefined && compareLabels(labels, this.lastSeries) <= 0) {
      throw new IndexWriterError(
        `series ${labelsToString(labels)} out of order: it must sort after ${labelsToString(this.lastSeries)}`,
      );
    }
    validateChunkMetas(chunks, () => labelsToString(labels));

    const refs = this.labelRefs;
    refs.length = 0;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (i > 0 && compareStrings(l.name, labels[i - 1].name) <= 0) {
        throw new IndexWriterError(`series ${labelsToString(labels)}: label names not sorted or not unique`);
      }
      refs.push(this.symbolRef(l.name), this.symbolRef(l.value));
    }

    this.pad(SERIES_ALIGNMENT);
    const id = this.pos / SERIES_ALIGNMENT;
    if (id > MAX_SERIES_ID) throw new IndexWriterError('index exceeds 64 GiB: series references no longer fit 32 bits');
    putSeriesEntry(this.out, this.scratch, refs, chunks);

    this.allSeries.push(id);
    for (let i = 0; i < refs.length; i += 2) {
      let byValue = this.postings.get(refs[i]);
      if (byValue === undefined) this.postings.set(refs[i], (byValue = new Map()));
      const list = byValue.get(refs[i + 1]);
      if (list === undefined) byValue.set(refs[i + 1], [id]);
      else list.push(id);
    }
    this.lastSeries = labels;
    this.maybeFlush();
    return id;
  }

  /** Writes label indices, postings, offset tables and TOC, then closes the sink. */
  close(): void {
    if (this.stage === 'done') return;
    if (this.stage === 'symbols') this.finishSymbols();
    this.stage = 'done';

    const names = [...this.postings.keys()].sort((a, b) => a - b);
    const sortedValues = (nameRef: number) => [...this.postings.get(nameRef)!.keys()].sort((a, b) => a - b);

    this.toc.labelIndices = this.pos;
    const labelIndexOffsets: { name: string; offset: number }[] = [];
    for (const nameRef of names) {
      const name = this.symbolList[nameRef];
      if (name === ALL_POSTINGS_NAME) continue;
      this.pad(LIST_ALIGNMENT);
      labelIndexOffsets.push({ name, offset: this.pos });
      putLabelIndex(this.out, sortedValues(nameRef));
      this.maybeFlush();
    }

    this.toc.postings = this.pos;
    const postingsOffsets: { name: string; value: string; offset: number }[] = [];
    const putPostings = (name: string, value: string, refs: number[]) => {
      this.pad(LIST_ALIGNMENT);
      postingsOffsets.push({ name, value, offset: this.pos });
      putPostingsList(this.out, refs);
      this.maybeFlush();
    };
    putPostings(ALL_POSTINGS_NAME, ALL_POSTINGS_VALUE, this.allSeries);
    for (const nameRef of names) {
      const byValue = this.postings.get(nameRef)!;
      for (const valueRef of sortedValues(nameRef)) {
        putPostings(this.symbolList[nameRef], this.symbolList[valueRef], byValue.get(valueRef)!);
      }
    }

    this.toc.labelIndicesTable = this.pos;
    putLabelOffsetTable(this.out, labelIndexOffsets);
    this.toc.postingsTable = this.pos;
    putPostingsOffsetTable(this.out, postingsOffsets);
    encodeToc(this.toc, this.out);

    this.postings.clear();
    this.allSeries = [];
    this.flush();
    this.sink.close();
  }

  /** Gives up on an unfinished index: releases the sink (the output is incomplete). */
  abort(): void {
    if (this.stage === 'done') return;
    this.stage = 'done';
    this.sink.close();
  }

  private finishSymbols(): void {
    this.toc.symbols = INDEX_HEADER_LEN;
    putSection(this.out, 'symbol table', (o) => {
      o.putBE32(this.symbolList.length);
      o.putBytes(this.symbolBuf.bytes);
    });
    this.symbolBuf = new EncodingBuffer(0);
    this.toc.series = this.pos;
    this.stage = 'series';
    this.maybeFlush();
  }

  private symbolRef(s: string): number {
    const ref = this.symbolRefs.get(s);
    if (ref === undefined) throw new IndexWriterError(`symbol ${JSON.stringify(s)} was not added before the series`);
    return ref;
  }

  private pad(alignment: number): void {
    const n = (alignment - (this.pos % alignment)) % alignment;
    for (let i = 0; i < n; i++) this.out.putByte(0);
  }

  private maybeFlush(): void {
    if (this.out.length >= FLUSH_THRESHOLD) this.flush();
  }

  private flush(): void {
    if (this.out.length === 0) return;
    this.sink.write(this.out.bytes);
    this.flushed += this.out.length;
    this.out.reset();
  }
}

/**
 * The sorted symbol table Prometheus writes for these series: every label name and
 * value, plus the empty string (which 2.42 always includes).
 */
export function collectSymbols(series: Iterable<Labels>): string[] {
  const set = new Set<string>(['']);
  for (const ls of series) {
    for (const l of ls) {
      set.add(l.name);
      set.add(l.value);
    }
  }
  return [...set].sort(compareStrings);
}

/** Writes a complete index for series given in any order (sorted here) and returns its bytes. */
export function buildIndex(series: readonly { labels: Labels; chunks?: readonly ChunkMeta[] }[]): Uint8Array {
  const sorted = [...series].sort((a, b) => compareLabels(a.labels, b.labels));
  const { writer, sink } = IndexWriter.inMemory();
  writer.addSymbols(collectSymbols(sorted.map((s) => s.labels)));
  for (const s of sorted) writer.addSeries(s.labels, s.chunks ?? []);
  writer.close();
  return sink.bytes();
}
