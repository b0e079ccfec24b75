// The storage interface the engine queries, and an in-memory implementation for tests.
//
// A Queryable hands out Queriers over a time range; a Querier selects series by label
// matchers. Each selected series exposes its samples as two parallel typed arrays sorted by
// timestamp (integer ms in a Float64Array, values in a Float64Array so NaN payloads such as
// the stale marker survive).

import type { LabelMatcher } from './parser/ast';
import { matchesValue } from './parser/parser';
import { lowerBound, upperBound } from './search';
import { compareLabels, getLabel, labelsKey, labelsToString, type Labels } from './labels';

/** Prometheus's staleness marker: a NaN with a specific payload. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

/** A Float64Array holding the stale marker at index 0 (copy it with typed-array `set` only). */
export const STALE_NAN_ARRAY = new Float64Array(1);
new BigUint64Array(STALE_NAN_ARRAY.buffer)[0] = STALE_NAN_BITS;

const bitsView = new Float64Array(1);
const bitsU32 = new Uint32Array(bitsView.buffer);

/** Whether `values[i]` is the stale marker; read straight from the typed array to keep the payload. */
export function isStaleAt(values: Float64Array, i: number): boolean {
  const v = values[i];
  if (v === v) return false;
  bitsView.set(values.subarray(i, i + 1));
  return bitsU32[1] === 0x7ff00000 && bitsU32[0] === 2;
}

export interface SelectHints {
  /** Start and end of the data needed, in ms (inclusive). */
  start: number;
  end: number;
  /** Query step in ms (0 for instant queries). */
  step: number;
  /** Range of the enclosing range selector in ms (0 for instant selectors). */
  range: number;
  /** Name of the function the selector is an argument of, if any. */
  func: string;
  /** Grouping labels of an enclosing aggregation; `by` false means `without`. */
  grouping: string[];
  by: boolean;
}

export interface StorageSeries {
  readonly labels: Labels;
  /** Sample timestamps in ms, ascending. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /**
   * The same samples, possibly in buffers reused by the next call on any series of the same
   * selection: for readers done with a series before they take the next one.
   */
  transientSamples?(): { timestamps: Float64Array; values: Float64Array };
}

export interface Querier {
  /** Series matching all matchers, restricted to samples within [hints.start, hints.end]. */
  select(sortSeries: boolean, hints: SelectHints, matchers: LabelMatcher[]): Promise<StorageSeries[]>;
  labelNames(matchers?: LabelMatcher[]): Promise<string[]>;
  labelValues(name: string, matchers?: LabelMatcher[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface Queryable {
  querier(mint: number, maxt: number): Promise<Querier>;
}

export class OutOfOrderSampleError extends Error {
  override readonly name = 'OutOfOrderSampleError';
}

class GrowableSeries {
  timestamps = new Float64Array(16);
  values = new Float64Array(16);
  length = 0;

  constructor(readonly labels: Labels) {}

  append(t: number, values: Float64Array, i: number): void {
    if (this.length > 0 && t <= this.timestamps[this.length - 1]) {
      throw new OutOfOrderSampleError(`out of order sample at ${t} for series ${labelsToString(this.labels)}`);
    }
    if (this.length === this.timestamps.length) {
      const ts = new Float64Array(this.length * 2);
      ts.set(this.timestamps);
      const vs = new Float64Array(this.length * 2);
      vs.set(this.values);
      this.timestamps = ts;
      this.values = vs;
    }
    this.timestamps[this.length] = t;
    this.values.set(values.subarray(i, i + 1), this.length);
    this.length++;
  }
}

function matchesAll(labels: Labels, matchers: LabelMatcher[]): boolean {
  return matchers.every((m) => matchesValue(m, getLabel(labels, m.name)));
}

/** An in-memory series store; also a Queryable over its contents. */
export class MemorySeriesStore implements Queryable {
  private readonly series = new Map<string, GrowableSeries>();

  /** Appends one sample taken from `values[i]` (typed array, so NaN payloads are kept). */
  appendFrom(labels: Labels, t: number, values: Float64Array, i: number): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = new GrowableSeries(labels);
      this.series.set(key, s);
    }
    s.append(t, values, i);
  }

  /** Appends a sample with an ordinary value. Use `appendFrom` for stale markers. */
  append(labels: Labels, t: number, v: number): void {
    this.appendFrom(labels, t, new Float64Array([v]), 0);
  }

  clear(): void {
    this.series.clear();
  }

  get seriesCount(): number {
    return this.series.size;
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    return new MemoryQuerier([...this.series.values()], mint, maxt);
  }
}

class MemoryQuerier implements Querier {
  constructor(
    private readonly series: GrowableSeries[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  async select(sortSeries: boolean, hints: SelectHints, matchers: LabelMatcher[]): Promise<StorageSeries[]> {
    const mint = Math.max(this.mint, hints.start);
    const maxt = Math.min(this.maxt, hints.end);
    const out: StorageSeries[] = [];
    for (const s of this.series) {
      if (!matchesAll(s.labels, matchers)) continue;
      const lo = lowerBound(s.timestamps, mint, s.length);
      const hi = upperBound(s.timestamps, maxt, s.length);
      if (hi <= lo) continue;
      out.push({ labels: s.labels, timestamps: s.timestamps.subarray(lo, hi), values: s.values.subarray(lo, hi) });
    }
    if (sortSeries) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return out;
  }

  async labelNames(matchers: LabelMatcher[] = []): Promise<string[]> {
    const names = new Set<string>();
    for (const s of this.series) if (matchesAll(s.labels, matchers)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  async labelValues(name: string, matchers: LabelMatcher[] = []): Promise<string[]> {
    const values = new Set<string>();
    for (const s of this.series) {
      const v = getLabel(s.labels, name);
      if (v !== '' && matchesAll(s.labels, matchers)) values.add(v);
    }
    return [...values].sort();
  }

  async close(): Promise<void> {}
}
