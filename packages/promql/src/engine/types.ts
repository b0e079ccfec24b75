// Values produced by the engine and its typed errors.

import type { Labels } from '../labels';

/** One element of an instant vector. */
export interface Sample {
  metric: Labels;
  /** Timestamp in ms. */
  t: number;
  v: number;
}

/** A series of a range-query (or range-selector) result; timestamps ascending. */
export interface RangeSeries {
  metric: Labels;
  timestamps: Float64Array;
  values: Float64Array;
}

export type QueryValue =
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: RangeSeries[] }
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string };

export interface QueryResult {
  value: QueryValue;
  warnings: string[];
}

/** Entries of the shared slab small point arrays are cut from. */
const SLAB_ENTRIES = 1 << 16;
/** Arrays larger than this get memory of their own. */
const MAX_SLAB_ARRAY = 1 << 12;
let slab = new Float64Array(0);
let slabUsed = 0;

/**
 * A zeroed Float64Array of `n` entries. Small ones are views of a shared slab: typed arrays
 * of more than a few dozen bytes keep their memory outside the JS heap, and allocating and
 * collecting thousands of them per query (two per series and function) costs more than a
 * view. A slab is freed once no view of it is left.
 */
function pointArray(n: number): Float64Array {
  // (also a NaN size, which gives an empty array as before)
  if (!(n <= MAX_SLAB_ARRAY)) return new Float64Array(n);
  if (slabUsed + n > slab.length) {
    slab = new Float64Array(SLAB_ENTRIES);
    slabUsed = 0;
  }
  const a = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return a;
}

/** Growable pair of typed arrays holding (t, v) points. */
export class PointBuffer {
  t: Float64Array;
  v: Float64Array;
  n = 0;

  constructor(capacity = 4) {
    this.t = pointArray(Math.max(1, capacity));
    this.v = pointArray(Math.max(1, capacity));
  }

  push(t: number, v: number): void {
    if (this.n === this.t.length) {
      const nt = new Float64Array(this.n * 2);
      nt.set(this.t);
      const nv = new Float64Array(this.n * 2);
      nv.set(this.v);
      this.t = nt;
      this.v = nv;
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }

  /** Views of the filled part. */
  get timestamps(): Float64Array {
    return this.t.subarray(0, this.n);
  }

  get values(): Float64Array {
    return this.v.subarray(0, this.n);
  }
}

/** A series inside the evaluator: labels plus points. */
export interface EvalSeries {
  metric: Labels;
  points: PointBuffer;
}

/** Base class of all query execution errors. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** A runtime evaluation error (duplicate label sets, bad matching, invalid arguments...). */
export class EvalError extends QueryError {
  override name = 'EvalError';
}

export class TooManySamplesError extends QueryError {
  override name = 'TooManySamplesError';
  constructor() {
    super('query processing would load too many samples into memory in query execution');
  }
}

export class QueryTimeoutError extends QueryError {
  override name = 'QueryTimeoutError';
  constructor(where: string) {
    super(`query timed out in ${where}`);
  }
}

export class QueryCanceledError extends QueryError {
  override name = 'QueryCanceledError';
  constructor(where: string) {
    super(`query was canceled in ${where}`);
  }
}
