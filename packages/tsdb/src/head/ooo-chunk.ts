import { XorChunkEncoder } from '../chunkenc';
import type { HeadChunk } from './memseries';

/** Prometheus' default capacity of an out-of-order head chunk, in samples. */
export const DEFAULT_OOO_CAP_MAX = 32;
/** The largest capacity Prometheus accepts (`OOOCapMax ... must be > 0 and <= 255`). */
export const MAX_OOO_CAP_MAX = 255;

/**
 * The open out-of-order chunk of a series: samples kept uncompressed in time order so that a
 * sample can be inserted anywhere. Values are stored as their two 32-bit words so that NaN
 * payloads (the stale marker) survive.
 */
class OooOpenChunk {
  readonly timestamps: Float64Array;
  /** `[2i]` is the high word of sample i's value, `[2i + 1]` the low word. */
  readonly words: Uint32Array;
  count = 0;

  constructor(capacity: number) {
    this.timestamps = new Float64Array(capacity);
    this.words = new Uint32Array(2 * capacity);
  }

  get full(): boolean {
    return this.count === this.timestamps.length;
  }

  get minTime(): number {
    return this.timestamps[0];
  }

  get maxTime(): number {
    return this.timestamps[this.count - 1];
  }

  /**
   * Inserts in time order; refuses (returns false) a timestamp already present, keeping the
   * first value, as Prometheus' `OOOChunk.Insert` does.
   */
  insert(t: number, hi: number, lo: number): boolean {
    const ts = this.timestamps;
    let i = this.count;
    // Mostly appends: out-of-order samples tend to arrive in order among themselves.
    if (i > 0 && t <= ts[i - 1]) {
      let left = 0;
      let right = i;
      while (left < right) {
        const mid = (left + right) >>> 1;
        if (ts[mid] < t) left = mid + 1;
        else right = mid;
      }
      if (ts[left] === t) return false;
      ts.copyWithin(left + 1, left, i);
      this.words.copyWithin(2 * left + 2, 2 * left, 2 * i);
      i = left;
    }
    ts[i] = t;
    this.words[2 * i] = hi;
    this.words[2 * i + 1] = lo;
    this.count++;
    return true;
  }

  toHeadChunk(): HeadChunk {
    const enc = new XorChunkEncoder();
    for (let i = 0; i < this.count; i++) enc.appendBits(this.timestamps[i], this.words[2 * i], this.words[2 * i + 1]);
    return { minTime: this.minTime, maxTime: this.maxTime, chunk: enc.toChunk() };
  }
}

/**
 * The out-of-order samples of one series, as Prometheus 2.42 keeps them: an open chunk of at
 * most `capMax` samples that takes inserts at any time, and the full chunks cut from it
 * (each in time order, but they may overlap one another). Duplicates are only detected within
 * the open chunk, as in Prometheus; readers merge the chunks and keep one sample per timestamp.
 */
export class OooSeriesData {
  /** Completed chunks in the order they were cut. */
  readonly cut: HeadChunk[] = [];
  private open: OooOpenChunk | undefined;
  minTime = Infinity;
  maxTime = -Infinity;

  get empty(): boolean {
    return this.cut.length === 0 && (this.open === undefined || this.open.count === 0);
  }

  /** Inserts a sample; false when the open chunk already has one at `t` (the sample is dropped). */
  insert(t: number, hi: number, lo: number, capMax: number): boolean {
    if (this.open === undefined || this.open.full) this.cutOpen(capMax);
    if (!this.open!.insert(t, hi, lo)) return false;
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
    return true;
  }

  /** Every chunk overlapping `[mint, maxt]`; the open chunk is encoded afresh (a snapshot). */
  chunks(mint: number, maxt: number): HeadChunk[] {
    const out: HeadChunk[] = [];
    for (const c of this.cut) if (c.maxTime >= mint && c.minTime <= maxt) out.push(c);
    const o = this.open;
    if (o && o.count > 0 && o.maxTime >= mint && o.minTime <= maxt) out.push(o.toHeadChunk());
    return out;
  }

  /**
   * Cuts the open chunk and returns every chunk held now: what an out-of-order compaction
   * persists. Samples inserted afterwards go to new chunks, which {@link drop} leaves alone.
   */
  seal(): HeadChunk[] {
    this.cutOpen(0);
    return [...this.cut];
  }

  /** Forgets `chunks` (persisted in blocks now); returns whether nothing is left. */
  drop(chunks: readonly HeadChunk[]): boolean {
    const gone = new Set(chunks);
    let kept = 0;
    for (const c of this.cut) if (!gone.has(c)) this.cut[kept++] = c;
    this.cut.length = kept;
    this.minTime = Infinity;
    this.maxTime = -Infinity;
    for (const c of this.cut) this.widen(c.minTime, c.maxTime);
    if (this.open && this.open.count > 0) this.widen(this.open.minTime, this.open.maxTime);
    return this.empty;
  }

  private widen(mint: number, maxt: number): void {
    if (mint < this.minTime) this.minTime = mint;
    if (maxt > this.maxTime) this.maxTime = maxt;
  }

  /** Moves the open chunk (if it has samples) to the cut ones; a new one of `capacity` follows (none for 0). */
  private cutOpen(capacity: number): void {
    if (this.open && this.open.count > 0) this.cut.push(this.open.toHeadChunk());
    this.open = capacity > 0 ? new OooOpenChunk(capacity) : undefined;
  }
}
