import { EncXOR, XorChunkIterator, floatFromBits } from '../chunkenc';
import type { Labels } from '../labels';
import type { TimedChunk } from '../block/trim';
import { HI_WORD, LO_WORD } from '../block/value-words';
import { inIntervals, type Interval } from '../tombstones';

/** The data one source (a block or the head) holds for a series: chunks in time order and deleted ranges. */
export interface SeriesPart {
  chunks: readonly TimedChunk[];
  deleted: readonly Interval[];
}

/** Walks one part's samples inside `[mint, maxt]`, skipping deleted ones. */
class PartIterator {
  t = 0;
  vHi = 0;
  vLo = 0;
  /** Set when a chunk of an encoding other than XOR ended the part early. */
  sawNonFloat = false;
  private part: SeriesPart = { chunks: [], deleted: [] };
  private chunkIndex = 0;
  private readonly it = new XorChunkIterator();
  private inChunk = false;
  private mint = 0;
  private maxt = 0;

  reset(part: SeriesPart, mint: number, maxt: number): void {
    this.part = part;
    this.mint = mint;
    this.maxt = maxt;
    this.chunkIndex = 0;
    this.inChunk = false;
    this.sawNonFloat = false;
  }

  next(): boolean {
    const { chunks, deleted } = this.part;
    for (;;) {
      if (!this.inChunk) {
        if (this.chunkIndex >= chunks.length) return false;
        const c = chunks[this.chunkIndex++];
        if (c.maxTime < this.mint) continue;
        if (c.minTime > this.maxt) return false;
        if (c.chunk.encoding !== EncXOR) {
          this.sawNonFloat = true;
          this.chunkIndex = chunks.length;
          return false;
        }
        this.it.reset(c.chunk.data);
        this.inChunk = true;
      }
      const it = this.it;
      while (it.next()) {
        const t = it.t;
        if (t < this.mint) continue;
        if (t > this.maxt) break;
        if (deleted.length > 0 && inIntervals(deleted, t)) continue;
        this.t = t;
        this.vHi = it.vHi;
        this.vLo = it.vLo;
        return true;
      }
      if (it.err) throw it.err;
      this.inChunk = false;
    }
  }
}

/**
 * Iterates a series' samples in time order without allocating per sample: call
 * {@link next}, then read {@link t} and {@link v} (or the exact bits {@link vHi}/{@link vLo}).
 * Parts from several sources are merged by timestamp; of samples with equal timestamps
 * only the one from the earliest part is returned (Prometheus' chained merge also keeps
 * one, but which one is unspecified there).
 */
export class SeriesIterator {
  t = 0;
  vHi = 0;
  vLo = 0;
  private its: PartIterator[] = [];
  private live: boolean[] = [];
  private count = 0;
  private started = false;

  reset(parts: readonly SeriesPart[], mint: number, maxt: number): this {
    while (this.its.length < parts.length) this.its.push(new PartIterator());
    this.count = parts.length;
    for (let i = 0; i < parts.length; i++) this.its[i].reset(parts[i], mint, maxt);
    this.started = false;
    return this;
  }

  get v(): number {
    return floatFromBits(this.vHi, this.vLo);
  }

  /** Whether a non-float (histogram) chunk was met; its samples are not returned. */
  get sawNonFloat(): boolean {
    for (let i = 0; i < this.count; i++) if (this.its[i].sawNonFloat) return true;
    return false;
  }

  next(): boolean {
    if (this.count === 1) {
      const it = this.its[0];
      if (!it.next()) return false;
      this.t = it.t;
      this.vHi = it.vHi;
      this.vLo = it.vLo;
      return true;
    }
    if (!this.started) {
      this.started = true;
      this.live.length = this.count;
      for (let i = 0; i < this.count; i++) this.live[i] = this.its[i].next();
    }
    let best = -1;
    for (let i = 0; i < this.count; i++) {
      if (this.live[i] && (best < 0 || this.its[i].t < this.its[best].t)) best = i;
    }
    if (best < 0) return false;
    const b = this.its[best];
    this.t = b.t;
    this.vHi = b.vHi;
    this.vLo = b.vLo;
    for (let i = 0; i < this.count; i++) {
      if (this.live[i] && this.its[i].t === this.t) this.live[i] = this.its[i].next();
    }
    return true;
  }
}

/** Samples as two parallel arrays; values keep their exact bit patterns. */
export interface SampleArrays {
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * A selected series: its labels and the parts of all sources that hold it, restricted
 * to the query range `[mint, maxt]`.
 */
export class Series {
  constructor(
    readonly labels: Labels,
    readonly parts: readonly SeriesPart[],
    readonly mint: number,
    readonly maxt: number,
  ) {}

  /** A sample iterator over the query range; pass `reuse` to avoid allocating one per series. */
  iterator(reuse?: SeriesIterator): SeriesIterator {
    return (reuse ?? new SeriesIterator()).reset(this.parts, this.mint, this.maxt);
  }

  /** The samples in `[mint, maxt]` (within the query range) as typed arrays. */
  samples(mint = this.mint, maxt = this.maxt): SampleArrays {
    const it = new SeriesIterator().reset(this.parts, Math.max(mint, this.mint), Math.min(maxt, this.maxt));
    let cap = 0;
    for (const p of this.parts) for (const c of p.chunks) cap += (c.chunk.data[0] << 8) | c.chunk.data[1];
    let ts = new Float64Array(Math.max(cap, 1));
    let words = new Uint32Array(ts.length * 2);
    let n = 0;
    while (it.next()) {
      if (n === ts.length) {
        const bigger = new Float64Array(ts.length * 2);
        bigger.set(ts);
        ts = bigger;
        const w = new Uint32Array(bigger.length * 2);
        w.set(words);
        words = w;
      }
      ts[n] = it.t;
      words[2 * n + HI_WORD] = it.vHi;
      words[2 * n + LO_WORD] = it.vLo;
      n++;
    }
    return { timestamps: ts.slice(0, n), values: new Float64Array(words.buffer.slice(0, n * 8)) };
  }
}
