import { DEFAULT_CHUNK_RANGE, floatHiBits, floatLoBits } from '../chunkenc';
import { EncodingBuffer } from '../encoding';
import { compareLabels, compareStrings, type Labels } from '../labels';
import type { Matcher } from '../labels/matcher';
import { postingsForMatchers, mergePostings, type PostingsReader } from '../index/index';
import { encodeSamples, encodeSeriesKeys, encodeTombstones, SampleBatch, type RefSeries } from '../record';
import { TombstoneSet, type Interval } from '../tombstones';
import type { WalWriter } from '../wal';
import { bytesEqual, hashKey, KeyArena, keyEqualsLabelRanges, labelsKey, type LabelRanges } from './labels-key';
import { MemSeries } from './memseries';
import { DEFAULT_OOO_CAP_MAX, MAX_OOO_CAP_MAX } from './ooo-chunk';

export interface HeadOptions {
  /** Width of the aligned windows chunks are cut at (the block duration); default 2h. */
  chunkRange?: number;
  /** Where committed records are logged; without one the head is memory-only. */
  wal?: WalWriter;
  /**
   * How far (ms) behind the head's newest sample an out-of-order sample is still accepted
   * (Prometheus' `out_of_order_time_window`); 0, the default, refuses every out-of-order sample.
   */
  outOfOrderTimeWindow?: number;
  /** Samples per out-of-order head chunk, 1..255; default 32 (Prometheus' `OutOfOrderCapMax`). */
  outOfOrderCapMax?: number;
  /** Where accepted out-of-order samples are logged (the WBL, `wbl/`), in the WAL's format. */
  wbl?: WalWriter;
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
  /** Out of order and older than the out-of-order window allows (Prometheus' `ErrTooOldSample`). */
  tooOld: 6,
} as const;
export type AppendStatusValue = (typeof AppendStatus)[keyof typeof AppendStatus];

/** An appender's pending samples: the columns and the series each sample belongs to. */
interface PendingSamples {
  batch: SampleBatch;
  series: MemSeries[];
}

/**
 * The in-memory head of a TSDB: series found by a hash of their label bytes, postings
 * per label pair, and chunks cut as Prometheus cuts them. Writes go through
 * {@link HeadAppender}, which logs to the WAL before changing anything in memory.
 */
export class Head implements PostingsReader {
  readonly chunkRange: number;
  wal: WalWriter | undefined;
  readonly outOfOrderTimeWindow: number;
  readonly outOfOrderCapMax: number;
  wbl: WalWriter | undefined;
  /** Series holding out-of-order samples not yet persisted in a block. */
  readonly oooSeries = new Set<MemSeries>();
  /** Out-of-order samples accepted so far (Prometheus' `head_out_of_order_samples_appended_total`). */
  oooSamplesAppended = 0;
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
  private readonly keys = new KeyArena();

  /** The hash series are filed under: `head.hash(key)` of a canonical key (see `hashKey`). */
  readonly hash = hashKey;

  private constructor(options: HeadOptions) {
    this.chunkRange = options.chunkRange ?? DEFAULT_CHUNK_RANGE;
    this.wal = options.wal;
    this.wbl = options.wbl;
    this.outOfOrderTimeWindow = Math.max(0, options.outOfOrderTimeWindow ?? 0);
    const capMax = options.outOfOrderCapMax ?? DEFAULT_OOO_CAP_MAX;
    if (!Number.isInteger(capMax) || capMax <= 0 || capMax > MAX_OOO_CAP_MAX) {
      throw new RangeError(`out-of-order cap max of ${capMax} is invalid: it must be an integer > 0 and <= 255`);
    }
    this.outOfOrderCapMax = capMax;
  }

  /** A new head (asynchronous for callers written when the hash needed a WebAssembly module). */
  static create(options: HeadOptions = {}): Promise<Head> {
    return Promise.resolve(new Head(options));
  }

  /** Starts logging to `wal` (after a replay into a head created without one); returns this head. */
  withWal(wal: WalWriter): this {
    this.wal = wal;
    return this;
  }

  /** Starts logging out-of-order samples to `wbl` (after the WBL replay); returns this head. */
  withWbl(wbl: WalWriter | undefined): this {
    this.wbl = wbl;
    return this;
  }

  /** Inserts an out-of-order sample into `s` (commit and WBL replay); false when its timestamp was taken. */
  insertOoo(s: MemSeries, t: number, hi: number, lo: number): boolean {
    if (!s.insertOoo(t, hi, lo, this.outOfOrderCapMax)) return false;
    this.oooSeries.add(s);
    return true;
  }

  /** The time range of the out-of-order samples held, or undefined when there are none. */
  oooRange(): { minTime: number; maxTime: number } | undefined {
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const s of this.oooSeries) {
      minTime = Math.min(minTime, s.ooo!.minTime);
      maxTime = Math.max(maxTime, s.ooo!.maxTime);
    }
    return minTime <= maxTime ? { minTime, maxTime } : undefined;
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

  /**
   * The series whose labels are the given byte ranges (hash `h = hashLabelRanges(labels)`), found without
   * assembling their key; what ingest looks every request's series up with.
   */
  lookupLabelRanges(labels: LabelRanges, h: number): MemSeries | undefined {
    const e = this.byHash.get(h);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return keyEqualsLabelRanges(e.key, labels) ? e : undefined;
    for (const s of e) if (keyEqualsLabelRanges(s.key, labels)) return s;
    return undefined;
  }

  /**
   * Creates a series (labels sorted and valid); `ref` is given when replaying the WAL. The labels are kept
   * as given (ingest and replay decode them with `labelString`, so that series share their name and common
   * value strings); `key` is copied (callers may pass a scratch view).
   */
  create(labels: Labels, key: Uint8Array, h: number, ref = this.nextRef): MemSeries {
    const s = new MemSeries(ref, labels, this.keys.copy(key), this.chunkRange);
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
      if (!s.empty && s.overlaps(mint, maxt)) out.push(s);
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
  /** Pending out-of-order samples (made on the first one: most transactions have none). */
  private ooo: PendingSamples | undefined;
  /** The head's newest in-order sample time when the transaction began: the out-of-order window ends there. */
  private readonly headMaxTime: number;
  private readonly oooWindow: number;

  constructor(
    private readonly head: Head,
    private readonly id: number,
    readonly minValidTime: number,
    readonly maxValidTime: number,
  ) {
    this.acquireColumns();
    this.headMaxTime = head.maxTime;
    this.oooWindow = head.outOfOrderTimeWindow;
  }

  get pendingSamples(): number {
    return (this.holdsColumns ? this.batch.length : 0) + (this.ooo?.batch.length ?? 0);
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

  /**
   * Checks a sample as Prometheus 2.42's `memSeries.appendable` does: in order when at or after
   * the appender's minimum valid time and after the series' last sample (equal time: duplicate),
   * otherwise out of order, which with an out-of-order window is accepted when no older than
   * the window before the head's newest sample (duplicates among out-of-order samples are
   * dropped silently at commit, as in Prometheus).
   */
  append(s: MemSeries, t: number, hi: number, lo: number): AppendStatusValue {
    if (this.oooWindow === 0 && t < this.minValidTime) return AppendStatus.outOfBounds;
    if (t > this.maxValidTime) return AppendStatus.tooFarInFuture;
    const pending = s.txn === this.id;
    const lastT = pending ? s.pendingT : s.lastT;
    if (t <= lastT || t < this.minValidTime) {
      if (t === lastT && t >= this.minValidTime) {
        const same = pending ? s.pendingHi === hi && s.pendingLo === lo : s.lastHi === hi && s.lastLo === lo;
        return same ? AppendStatus.duplicateIgnored : AppendStatus.duplicate;
      }
      if (this.oooWindow > 0) return this.appendOoo(s, t, hi, lo);
      return t < this.minValidTime ? AppendStatus.outOfBounds : AppendStatus.outOfOrder;
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
   * Queues an out-of-order sample inside the window. An empty head has no newest sample to
   * measure the window from: refused as too old, as Prometheus' int64 arithmetic refuses it.
   */
  private appendOoo(s: MemSeries, t: number, hi: number, lo: number): AppendStatusValue {
    if (this.headMaxTime === -Infinity || t < this.headMaxTime - this.oooWindow) return AppendStatus.tooOld;
    this.ooo ??= { batch: new SampleBatch(64), series: [] };
    this.ooo.series[this.ooo.batch.length] = s;
    this.ooo.batch.pushBits(s.ref, t, hi, lo);
    return AppendStatus.ok;
  }

  /**
   * Inserts the pending out-of-order samples into their series and logs the ones accepted to
   * the WBL (as Prometheus, after the in-memory insert: only accepted samples are logged).
   */
  private commitOoo(): void {
    const pending = this.ooo;
    if (pending === undefined || pending.batch.length === 0) return;
    const head = this.head;
    const b = pending.batch;
    // Set once a sample is dropped: from then on the accepted samples are copied here for the WBL.
    let accepted: SampleBatch | undefined;
    for (let i = 0; i < b.length; i++) {
      if (head.insertOoo(pending.series[i], b.timestamps[i], b.valueHi(i), b.valueLo(i))) {
        accepted?.pushFrom(b, i);
        continue;
      }
      if (accepted === undefined) {
        accepted = new SampleBatch(b.length);
        for (let j = 0; j < i; j++) accepted.pushFrom(b, j);
      }
    }
    const logged = accepted ?? b;
    head.oooSamplesAppended += logged.length;
    if (head.wbl && logged.length > 0) {
      head.recordBuf.reset();
      head.wbl.log(encodeSamples(head.recordBuf, logged));
    }
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
        wal.append(encodeSeriesKeys(buf, this.created));
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
    this.commitOoo();
    this.finish();
  }

  /** Drops the pending samples; series created meanwhile stay (and are logged), as in Prometheus. */
  rollback(): void {
    if (!this.holdsColumns) this.acquireColumns();
    if (this.created.length > 0 && this.head.wal) {
      this.head.recordBuf.reset();
      this.head.wal.log(encodeSeriesKeys(this.head.recordBuf, this.created));
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
    this.ooo = undefined;
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
