import xxhash from 'xxhash-wasm';
import { DEFAULT_CHUNK_RANGE, floatHiBits, floatLoBits } from '../chunkenc';
import { EncodingBuffer } from '../encoding';
import { compareLabels, compareStrings, type Label, type Labels } from '../labels';
import type { Matcher } from '../labels/matcher';
import { postingsForMatchers, mergePostings, type PostingsReader } from '../index/index';
import { encodeSamples, encodeSeries, encodeTombstones, SampleBatch, type RefSeries } from '../record';
import { TombstoneSet, type Interval } from '../tombstones';
import type { WalWriter } from '../wal';
import { bytesEqual, labelsKey } from './labels-key';
import { MemSeries } from './memseries';

export interface HeadOptions {
  /** Width of the aligned windows chunks are cut at (the block duration); default 2h. */
  chunkRange?: number;
  /** Where committed records are logged; without one the head is memory-only. */
  wal?: WalWriter;
}

/** Why a sample was refused (0 means accepted). */
export const AppendStatus = {
  ok: 0,
  /** Same timestamp and same value as the last sample: accepted and ignored, as Prometheus does. */
  duplicateIgnored: 1,
  outOfOrder: 2,
  duplicate: 3,
  outOfBounds: 4,
  tooFarInFuture: 5,
} as const;
export type AppendStatusValue = (typeof AppendStatus)[keyof typeof AppendStatus];

type Hash32 = (bytes: Uint8Array) => number;

const MAX_INTERNED_LABEL_NAMES = 10_000;

/** An appender's pending samples: the columns and the series each sample belongs to. */
interface PendingSamples {
  batch: SampleBatch;
  series: MemSeries[];
}

let hasherPromise: Promise<Hash32> | undefined;
function loadHasher(): Promise<Hash32> {
  hasherPromise ??= xxhash().then((h) => (bytes: Uint8Array) => h.h32Raw(bytes, 0));
  return hasherPromise;
}

/**
 * The in-memory head of a TSDB: series found by a hash of their label bytes, postings
 * per label pair, and chunks cut as Prometheus cuts them. Writes go through
 * {@link HeadAppender}, which logs to the WAL before changing anything in memory.
 */
export class Head implements PostingsReader {
  readonly chunkRange: number;
  wal: WalWriter | undefined;
  readonly tombstones = new TombstoneSet();
  private readonly byHash = new Map<number, MemSeries | MemSeries[]>();
  private readonly byRef = new Map<number, MemSeries>();
  private readonly postingsIndex = new Map<string, Map<string, number[]>>();
  private allRefs: number[] = [];
  private nextRef = 1;
  private txnCounter = 0;
  /** Samples before this are refused as out of bounds (set to the newest block's end after compaction). */
  minValidTime = Number.MIN_SAFE_INTEGER;
  minTime = Infinity;
  maxTime = -Infinity;
  readonly recordBuf = new EncodingBuffer(1 << 16);
  /**
   * The sample columns of the last finished appender, handed to the next one: a batch grown to the request size
   * is reused instead of growing a fresh one (and leaving the old one to the GC) on every commit.
   */
  private spareBatch: PendingSamples | undefined;
  private readonly labelNameSymbols = new Map<string, string>();

  private constructor(
    readonly hash: Hash32,
    options: HeadOptions,
  ) {
    this.chunkRange = options.chunkRange ?? DEFAULT_CHUNK_RANGE;
    this.wal = options.wal;
  }

  static async create(options: HeadOptions = {}): Promise<Head> {
    return new Head(await loadHasher(), options);
  }

  /** Starts logging to `wal` (after a replay into a head created without one); returns this head. */
  withWal(wal: WalWriter): this {
    this.wal = wal;
    return this;
  }

  get numSeries(): number {
    return this.byRef.size;
  }

  /** The series with canonical label bytes `key` (hash `h = head.hash(key)`), if present. */
  lookup(key: Uint8Array, h: number): MemSeries | undefined {
    const e = this.byHash.get(h);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return bytesEqual(e.key, key) ? e : undefined;
    for (const s of e) if (bytesEqual(s.key, key)) return s;
    return undefined;
  }

  /** Creates a series (labels sorted and valid); `ref` is given when replaying the WAL. */
  create(labels: Labels, key: Uint8Array, h: number, ref = this.nextRef): MemSeries {
    const s = new MemSeries(ref, this.internNames(labels), key, this.chunkRange);
    if (ref >= this.nextRef) this.nextRef = ref + 1;
    const e = this.byHash.get(h);
    if (e === undefined) this.byHash.set(h, s);
    else if (Array.isArray(e)) e.push(s);
    else this.byHash.set(h, [e, s]);
    this.byRef.set(ref, s);
    for (const l of labels) {
      let values = this.postingsIndex.get(l.name);
      if (values === undefined) this.postingsIndex.set(l.name, (values = new Map()));
      const refs = values.get(l.value);
      if (refs === undefined) values.set(l.value, [ref]);
      else insertSorted(refs, ref);
    }
    insertSorted(this.allRefs, ref);
    return s;
  }

  /**
   * The labels with names shared with earlier series: every request decodes fresh strings, and without this each
   * series would keep its own copies of the same few names. The table is bounded so that abusive label names
   * cannot grow it forever (names beyond the bound are kept as given).
   */
  private internNames(labels: Labels): Labels {
    const out = new Array<Label>(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      let name = this.labelNameSymbols.get(l.name);
      if (name === undefined) {
        name = l.name;
        if (this.labelNameSymbols.size < MAX_INTERNED_LABEL_NAMES) this.labelNameSymbols.set(name, name);
      }
      out[i] = { name, value: l.value };
    }
    return out;
  }

  seriesByRef(ref: number): MemSeries | undefined {
    return this.byRef.get(ref);
  }

  appender(options: { maxValidTime?: number } = {}): HeadAppender {
    const minValid =
      this.maxTime === -Infinity ? this.minValidTime : Math.max(this.minValidTime, this.maxTime - this.chunkRange / 2);
    return new HeadAppender(this, ++this.txnCounter, minValid, options.maxValidTime ?? Infinity);
  }

  /** @internal The spare pending-sample columns, or fresh ones when an appender holds them. */
  takeSpareBatch(): PendingSamples {
    const spare = this.spareBatch ?? { batch: new SampleBatch(256), series: [] };
    this.spareBatch = undefined;
    return spare;
  }

  /** @internal Gives back (empty) pending-sample columns for the next appender. */
  returnSpareBatch(spare: PendingSamples): void {
    this.spareBatch = spare;
  }

  /** Records a committed sample's time in the head's range. */
  noteSample(t: number): void {
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
  }

  /** Deletes [mint, maxt] of the series matching `matchers`, logging tombstones first. */
  async deleteRange(matchers: readonly Matcher[], mint: number, maxt: number): Promise<number> {
    const refs = await postingsForMatchers(this, matchers);
    if (refs.length === 0) return 0;
    this.recordBuf.reset();
    this.wal?.log(
      encodeTombstones(
        this.recordBuf,
        refs.map((ref) => ({ ref, mint, maxt })),
      ),
    );
    for (const ref of refs) this.tombstones.add(ref, { mint, maxt });
    return refs.length;
  }

  labelNames(): string[] {
    return [...this.postingsIndex.keys()].sort(compareStrings);
  }

  labelValues(name: string): string[] {
    const values = this.postingsIndex.get(name);
    return values ? [...values.keys()].sort(compareStrings) : [];
  }

  postings(name: string, values: readonly string[]): number[] {
    if (name === '' && values.length === 1 && values[0] === '') return this.allRefs;
    const byValue = this.postingsIndex.get(name);
    if (!byValue) return [];
    const lists = values.map((v) => byValue.get(v)).filter((l): l is number[] => l !== undefined);
    return lists.length === 1 ? lists[0] : mergePostings(lists);
  }

  /** Series matching `matchers` that have samples in [mint, maxt], sorted by labels. */
  async select(matchers: readonly Matcher[], mint: number, maxt: number): Promise<MemSeries[]> {
    const refs = await postingsForMatchers(this, matchers);
    const out: MemSeries[] = [];
    for (const ref of refs) {
      const s = this.byRef.get(ref)!;
      if (!s.empty && s.minTime <= maxt && s.lastT >= mint) out.push(s);
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  deletedIntervals(ref: number): readonly Interval[] {
    return this.tombstones.get(ref);
  }

  /**
   * Forgets data before `mint` (persisted in a block now): drops old chunks, series left
   * empty, and tombstones that no longer cover anything. Samples before `mint` are refused
   * from now on.
   */
  truncate(mint: number): { removedSeries: number } {
    this.minValidTime = Math.max(this.minValidTime, mint);
    const removed: number[] = [];
    for (const s of this.byRef.values()) if (s.truncateBefore(mint)) removed.push(s.ref);
    if (removed.length > 0) this.removeSeries(new Set(removed));
    this.tombstones.truncateBefore(mint);
    this.minTime = Infinity;
    for (const s of this.byRef.values()) this.minTime = Math.min(this.minTime, s.minTime);
    if (this.byRef.size === 0) this.maxTime = -Infinity;
    return { removedSeries: removed.length };
  }

  /** Series records for every live series: what a WAL checkpoint must keep. */
  liveSeries(): RefSeries[] {
    return [...this.byRef.values()].map((s) => ({ ref: s.ref, labels: s.labels }));
  }

  private removeSeries(refs: Set<number>): void {
    for (const ref of refs) {
      const s = this.byRef.get(ref)!;
      this.byRef.delete(ref);
      const h = this.hash(s.key);
      const e = this.byHash.get(h);
      if (Array.isArray(e)) {
        const rest = e.filter((x) => x !== s);
        this.byHash.set(h, rest.length === 1 ? rest[0] : rest);
      } else this.byHash.delete(h);
    }
    for (const [name, values] of this.postingsIndex) {
      for (const [value, list] of values) {
        const kept = list.filter((r) => !refs.has(r));
        if (kept.length === 0) values.delete(value);
        else values.set(value, kept);
      }
      if (values.size === 0) this.postingsIndex.delete(name);
    }
    this.allRefs = this.allRefs.filter((r) => !refs.has(r));
    this.tombstones.deleteSeries(refs);
  }
}

function insertSorted(list: number[], ref: number): void {
  if (list.length === 0 || list[list.length - 1] < ref) {
    list.push(ref);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < ref) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== ref) list.splice(lo, 0, ref);
}

/**
 * One write transaction. `append` checks each sample against the series' last committed
 * (or earlier in this transaction) sample and the head's valid time range; `commit` logs
 * new series and the accepted samples to the WAL in one write, then applies them.
 */
export class HeadAppender {
  private batch!: SampleBatch;
  /** The series of each pending sample, so that commit needs no lookup by ref. */
  private pendingSeries!: MemSeries[];
  /** False once commit/rollback gave the columns back to the head (an appender used again takes new ones). */
  private holdsColumns = false;
  private readonly created: MemSeries[] = [];

  constructor(
    private readonly head: Head,
    private readonly id: number,
    readonly minValidTime: number,
    readonly maxValidTime: number,
  ) {
    this.acquireColumns();
  }

  get pendingSamples(): number {
    return this.holdsColumns ? this.batch.length : 0;
  }

  private acquireColumns(): void {
    const spare = this.head.takeSpareBatch();
    this.batch = spare.batch;
    this.pendingSeries = spare.series;
    this.holdsColumns = true;
  }

  /** Finds or creates the series; new series are logged at commit. */
  series(labels: Labels, key: Uint8Array, h: number): MemSeries {
    const found = this.head.lookup(key, h);
    if (found) return found;
    const s = this.head.create(labels, key, h);
    this.created.push(s);
    return s;
  }

  /** The series with these (sorted, valid) labels, created if new. */
  getOrCreate(labels: Labels): MemSeries {
    const key = labelsKey(labels);
    return this.series(labels, key, this.head.hash(key));
  }

  append(s: MemSeries, t: number, hi: number, lo: number): AppendStatusValue {
    if (t < this.minValidTime) return AppendStatus.outOfBounds;
    if (t > this.maxValidTime) return AppendStatus.tooFarInFuture;
    const pending = s.txn === this.id;
    const lastT = pending ? s.pendingT : s.lastT;
    if (t <= lastT) {
      if (t < lastT) return AppendStatus.outOfOrder;
      const same = pending ? s.pendingHi === hi && s.pendingLo === lo : s.lastHi === hi && s.lastLo === lo;
      return same ? AppendStatus.duplicateIgnored : AppendStatus.duplicate;
    }
    if (!this.holdsColumns) this.acquireColumns();
    s.txn = this.id;
    s.pendingT = t;
    s.pendingHi = hi;
    s.pendingLo = lo;
    this.pendingSeries[this.batch.length] = s;
    this.batch.pushBits(s.ref, t, hi, lo);
    return AppendStatus.ok;
  }

  /**
   * Logs and applies the transaction. When this returns, the records are in the WAL file
   * (the OS page cache): a process crash after it loses nothing.
   */
  commit(): void {
    if (!this.holdsColumns) this.acquireColumns();
    const head = this.head;
    const wal = head.wal;
    if (wal) {
      const buf = head.recordBuf;
      if (this.created.length > 0) {
        buf.reset();
        wal.append(
          encodeSeries(
            buf,
            this.created.map((s) => ({ ref: s.ref, labels: s.labels })),
          ),
        );
      }
      if (this.batch.length > 0) {
        buf.reset();
        wal.append(encodeSamples(buf, this.batch));
      }
      wal.flush();
    }
    const b = this.batch;
    const series = this.pendingSeries;
    for (let i = 0; i < b.length; i++) {
      const s = series[i];
      const t = b.timestamps[i];
      s.append(t, b.valueHi(i), b.valueLo(i));
      head.noteSample(t);
    }
    this.finish();
  }

  /** Drops the pending samples; series created meanwhile stay (and are logged), as in Prometheus. */
  rollback(): void {
    if (!this.holdsColumns) this.acquireColumns();
    if (this.created.length > 0 && this.head.wal) {
      this.head.recordBuf.reset();
      this.head.wal.log(
        encodeSeries(
          this.head.recordBuf,
          this.created.map((s) => ({ ref: s.ref, labels: s.labels })),
        ),
      );
    }
    this.finish();
  }

  private finish(): void {
    const series = this.pendingSeries;
    for (let i = 0; i < this.batch.length; i++) {
      if (series[i].txn === this.id) series[i].txn = 0;
    }
    series.length = 0;
    this.batch.reset();
    this.created.length = 0;
    this.holdsColumns = false;
    this.head.returnSpareBatch({ batch: this.batch, series });
  }
}

/** Appends a sample given as a plain number (tests and tools; ingest passes bits). */
export function appendFloat(app: HeadAppender, s: MemSeries, t: number, v: number): AppendStatusValue {
  const hi = floatHiBits(v);
  return app.append(s, t, hi, floatLoBits());
}
