// Thanos's penalty-based deduplication of replica sample streams (pkg/dedup/iter.go),
// on samples held in typed arrays. See spec/thanos.md §4.3-4.4.
//
// Two deliberate details follow the upstream code rather than a simplified reading:
// the merge starts with useA = false (Go's zero value) and lastIter = a, so in counter
// mode the first pick of replica A already counts as a "switch" and may raise B's
// offset; and a counter offset of 0 leaves values untouched, so NaN payloads (stale
// markers) keep their bits instead of being quieted by `v + 0`.

/** Samples of one series: integer-millisecond timestamps and float values. */
export interface SampleSeries {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Timestamp standing for Go's MinInt64 in `lastT`. */
const NO_TIME = Number.MIN_SAFE_INTEGER;
const INITIAL_PENALTY_MS = 5000;

/** A float-sample iterator with Prometheus semantics (next/seek/at), plus the counter hook. */
export interface SampleIterator {
  next(): boolean;
  /** Moves to the first sample with timestamp >= t; never moves backwards. */
  seek(t: number): boolean;
  atT(): number;
  atV(): number;
  /** Called when the merge switched replicas; `lastValue` is the value emitted last. */
  adjustAtValue(lastValue: number): void;
}

export class ArraySampleIterator implements SampleIterator {
  private i = -1;

  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
  ) {}

  next(): boolean {
    if (this.i < this.ts.length) this.i++;
    return this.i < this.ts.length;
  }

  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    while (this.i < this.ts.length && this.ts[this.i] < t) this.i++;
    return this.i < this.ts.length;
  }

  atT(): number {
    return this.ts[this.clampedIndex()];
  }

  atV(): number {
    return this.vs[this.clampedIndex()];
  }

  adjustAtValue(): void {}

  private clampedIndex(): number {
    return Math.max(0, Math.min(this.i, this.ts.length - 1));
  }
}

/** Keeps a replica's counter from going down across a replica switch. */
export class CounterAdjustingIterator implements SampleIterator {
  private errAdjust = 0;

  constructor(private readonly it: SampleIterator) {}

  next(): boolean {
    return this.it.next();
  }

  seek(t: number): boolean {
    return this.it.seek(t);
  }

  atT(): number {
    return this.it.atT();
  }

  atV(): number {
    const v = this.it.atV();
    return this.errAdjust === 0 ? v : v + this.errAdjust;
  }

  adjustAtValue(lastValue: number): void {
    const v = this.atV();
    if (lastValue > v) this.errAdjust += lastValue - v;
  }
}

/** Merges replicas `a` and `b`, following one until it has a gap, with penalties. */
export class PenaltyDedupIterator implements SampleIterator {
  private aok: boolean;
  private bok: boolean;
  private lastT = NO_TIME;
  private lastIter: SampleIterator;
  private penA = 0;
  private penB = 0;
  private useA = false;

  constructor(
    private readonly a: SampleIterator,
    private readonly b: SampleIterator,
  ) {
    this.lastIter = a;
    this.aok = a.next();
    this.bok = b.next();
  }

  next(): boolean {
    const prevUseA = this.useA;
    const hadValue = prevUseA ? this.aok : this.bok;
    const lastValue = hadValue ? this.lastIter.atV() : 0;
    const ok = this.advance();
    if (this.useA !== prevUseA && hadValue) this.adjustAtValue(lastValue);
    return ok;
  }

  private advance(): boolean {
    const { a, b } = this;
    if (this.aok) this.aok = a.seek(this.lastT + 1 + this.penA);
    if (this.bok) this.bok = b.seek(this.lastT + 1 + this.penB);
    if (!this.aok) {
      this.useA = false;
      if (this.bok) {
        this.lastT = b.atT();
        this.lastIter = b;
        this.penB = 0;
      }
      return this.bok;
    }
    if (!this.bok) {
      this.useA = true;
      this.lastT = a.atT();
      this.lastIter = a;
      this.penA = 0;
      return true;
    }
    const ta = a.atT();
    const tb = b.atT();
    this.useA = ta <= tb;
    if (this.useA) {
      this.penB = this.lastT !== NO_TIME ? 2 * (ta - this.lastT) : INITIAL_PENALTY_MS;
      this.penA = 0;
      this.lastT = ta;
      this.lastIter = a;
    } else {
      this.penA = this.lastT !== NO_TIME ? 2 * (tb - this.lastT) : INITIAL_PENALTY_MS;
      this.penB = 0;
      this.lastT = tb;
      this.lastIter = b;
    }
    return true;
  }

  adjustAtValue(lastValue: number): void {
    if (this.aok) this.a.adjustAtValue(lastValue);
    if (this.bok) this.b.adjustAtValue(lastValue);
  }

  seek(t: number): boolean {
    // Steps with next() rather than seeking the replicas, so that gaps are noticed.
    while (true) {
      const ts = this.atT();
      if (ts >= t) return this.useA ? this.a.seek(ts) : this.b.seek(ts);
      if (!this.next()) return false;
    }
  }

  atT(): number {
    return this.useA ? this.a.atT() : this.b.atT();
  }

  atV(): number {
    return this.lastIter.atV();
  }
}

/** Functions whose argument is a counter (Thanos's isCounter). */
export function isCounterFunction(func: string | undefined): boolean {
  return func === 'rate' || func === 'increase' || func === 'irate' || func === 'resets';
}

export interface DedupOptions {
  /** Apply counter adjustment (the query wraps the selector in rate/increase/irate/resets). */
  counter?: boolean;
}

/** Builds the merged iterator over replicas, folded left: dedup(dedup(r0, r1), r2)... */
export function dedupIterator(replicas: SampleSeries[], opts: DedupOptions = {}): SampleIterator {
  if (replicas.length === 0) throw new Error('dedupIterator needs at least one replica');
  const wrap = (r: SampleSeries): SampleIterator => {
    const it = new ArraySampleIterator(r.timestamps, r.values);
    return opts.counter ? new CounterAdjustingIterator(it) : it;
  };
  let it = wrap(replicas[0]);
  for (let i = 1; i < replicas.length; i++) it = new PenaltyDedupIterator(it, wrap(replicas[i]));
  return it;
}

/** The deduplicated samples of several replicas of one series. */
export function dedupSamples(replicas: SampleSeries[], opts: DedupOptions = {}): SampleSeries {
  if (replicas.length === 1) return replicas[0];
  let total = 0;
  for (const r of replicas) total += r.timestamps.length;
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  const it = dedupIterator(replicas, opts);
  let n = 0;
  while (it.next()) {
    timestamps[n] = it.atT();
    values[n] = it.atV();
    n++;
  }
  return { timestamps: timestamps.slice(0, n), values: values.slice(0, n) };
}
