import { ChunkCutter, EncXOR, XorChunkEncoder, type Chunk } from '../chunkenc';
import type { Labels } from '../labels';
import { OooSeriesData } from './ooo-chunk';

/** A completed, immutable chunk of a head series. */
export interface HeadChunk {
  minTime: number;
  maxTime: number;
  chunk: Chunk;
}

/**
 * One series in the head: its labels, completed chunks, and the open chunk being
 * appended to, cut where Prometheus 2.42's head cuts. The last committed sample (time
 * and value bits) decides whether the next one is in order, a duplicate or a conflict.
 */
export class MemSeries {
  readonly closed: HeadChunk[] = [];
  private open: XorChunkEncoder | undefined;
  private readonly cutter: ChunkCutter;
  lastT = -Infinity;
  lastHi = 0;
  lastLo = 0;
  /** Id of the appender transaction that set `pendingT` (see HeadAppender). */
  txn = 0;
  pendingT = -Infinity;
  pendingHi = 0;
  pendingLo = 0;
  /** Out-of-order samples (created on the first one: most series never have any). */
  ooo: OooSeriesData | undefined;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    /** Canonical label bytes (see `labelsKey`): the identity used for lookups. */
    readonly key: Uint8Array,
    chunkRange: number,
  ) {
    this.cutter = new ChunkCutter(chunkRange);
  }

  /** Appends a committed sample; the caller has checked that `t` is after `lastT`. */
  append(t: number, hi: number, lo: number): void {
    if (this.cutter.add(t)) {
      this.closeOpenChunk();
      this.open = new XorChunkEncoder();
    }
    this.open!.appendBits(t, hi, lo);
    this.lastT = t;
    this.lastHi = hi;
    this.lastLo = lo;
  }

  get minTime(): number {
    if (this.closed.length > 0) return this.closed[0].minTime;
    return this.open && this.open.numSamples > 0 ? this.open.minTime : Infinity;
  }

  get empty(): boolean {
    return (
      this.closed.length === 0 &&
      (this.open === undefined || this.open.numSamples === 0) &&
      (this.ooo === undefined || this.ooo.empty)
    );
  }

  /** Inserts an out-of-order sample; false when one with timestamp `t` is already in the open OOO chunk. */
  insertOoo(t: number, hi: number, lo: number, capMax: number): boolean {
    this.ooo ??= new OooSeriesData();
    return this.ooo.insert(t, hi, lo, capMax);
  }

  /** Whether the series has samples (in order or not) in `[mint, maxt]`, judged by chunk bounds. */
  overlaps(mint: number, maxt: number): boolean {
    if (this.minTime <= maxt && this.lastT >= mint) return true;
    const o = this.ooo;
    return o !== undefined && o.minTime <= maxt && o.maxTime >= mint;
  }

  /**
   * Chunks overlapping [mint, maxt], oldest first; the open chunk is copied so that the
   * caller's view stays valid while appends continue.
   */
  chunks(mint: number, maxt: number): HeadChunk[] {
    const out: HeadChunk[] = [];
    for (const c of this.closed) if (c.maxTime >= mint && c.minTime <= maxt) out.push(c);
    const o = this.open;
    if (o && o.numSamples > 0 && o.maxTime >= mint && o.minTime <= maxt) {
      out.push({ minTime: o.minTime, maxTime: o.maxTime, chunk: { encoding: EncXOR, data: o.bytes().slice() } });
    }
    return out;
  }

  /**
   * Drops chunks that end before `mint` (they are persisted in a block now). The open
   * chunk is closed first when it lies entirely before `mint`. Returns whether the series
   * is now empty.
   */
  truncateBefore(mint: number): boolean {
    if (this.open && this.open.numSamples > 0 && this.open.maxTime < mint) {
      this.closeOpenChunk();
      this.open = undefined;
      this.cutter.reset();
    }
    let drop = 0;
    while (drop < this.closed.length && this.closed[drop].maxTime < mint) drop++;
    if (drop > 0) this.closed.splice(0, drop);
    return this.empty;
  }

  private closeOpenChunk(): void {
    const o = this.open;
    if (o === undefined || o.numSamples === 0) return;
    this.closed.push({ minTime: o.minTime, maxTime: o.maxTime, chunk: o.toChunk() });
  }
}
