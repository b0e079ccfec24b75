// Implementations of PromQL functions with Prometheus 2.42 semantics. Each receives its
// evaluated arguments for one step: instant vectors (scalars are one-element vectors),
// one range window for a range-vector argument, and the raw argument expressions for strings.

import {
  BUCKET_LABEL,
  dropMetricName,
  getLabel,
  isValidLabelName,
  labelsKey,
  METRIC_NAME,
  setLabel,
  withoutLabels,
  type Labels,
} from '../labels';
import { parseGoFloat } from '../numbers';
import { unwrapParens, type Expr } from '../parser/ast';
import { compileAnchoredRegex, expandTemplate } from '../parser/regex';
import { goAcos, goAsin, goAtan, goCos, goLog10, goLog2, goSin, goTan } from './gomath';
import { EvalError, type Sample } from './types';

/**
 * The samples of one series inside a range window: indices [lo, hi) of the series' arrays (not
 * copies, so the evaluator allocates nothing per step), plus the window bounds (ms, inclusive).
 */
export interface RangeWindow {
  metric: Labels;
  t: Float64Array;
  v: Float64Array;
  lo: number;
  hi: number;
  /**
   * Greatest index j < hi with v[j] < v[j - 1] (a counter reset), or -1: a window with
   * lastDrop <= lo holds no reset, which lets counter functions skip their reset scan.
   */
  lastDrop: number;
  rangeStart: number;
  rangeEnd: number;
  /** Selector range in ms. */
  range: number;
  /** The reducer's value for the window, when it returns true (see {@link WindowReducer}). */
  result: number;
}

export type FuncArg = Sample[] | RangeWindow | undefined;

const windowTimes = (w: RangeWindow): Float64Array => w.t.subarray(w.lo, w.hi);
const windowValues = (w: RangeWindow): Float64Array => w.v.subarray(w.lo, w.hi);

export interface CallContext {
  /** Evaluation timestamp of this step (ms). */
  ts: number;
  /** Argument expressions (parentheses removed), for string arguments. */
  args: Expr[];
  /** Per-call memo of output label sets by input label set (arguments are constant per call). */
  memo: Map<Labels, Labels>;
}

function memoised(ctx: CallContext, metric: Labels, compute: () => Labels): Labels {
  let out = ctx.memo.get(metric);
  if (out === undefined) {
    out = compute();
    ctx.memo.set(metric, out);
  }
  return out;
}

export type FunctionImpl = (vals: FuncArg[], ctx: CallContext) => Sample[];

const vec = (a: FuncArg): Sample[] => a as Sample[];
const scalarArg = (a: FuncArg): number => (a as Sample[])[0].v;

function stringArg(ctx: CallContext, i: number): string {
  const e = unwrapParens(ctx.args[i]);
  if (e.kind !== 'StringLiteral') throw new EvalError(`expected string literal as argument ${i + 1}`);
  return e.value;
}

function one(v: number, metric: Labels = []): Sample[] {
  return [{ metric, t: 0, v }];
}

/** Applies `f` to every element's value and drops the metric name. */
function simple(f: (v: number) => number): FunctionImpl {
  return (vals) => vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: s.t, v: f(s.v) }));
}

/**
 * Reduces one range window to a value, stored in `w.result`; returns false for no output at
 * this step. Not a `number | null` return: V8 boxes a float returned that way (and any float
 * returned by a call it does not inline), a heap number per series and step.
 */
export type WindowReducer = (w: RangeWindow, vals: FuncArg[], ctx: CallContext) => boolean;

/** Sets the window's result; for reducers. */
function emit(w: RangeWindow, v: number): true {
  w.result = v;
  return true;
}

/** Range functions that reduce each window to one value expose the reducer to skip per-step allocations. */
const windowReducers = new WeakMap<FunctionImpl, WindowReducer>();

export function windowReducerOf(impl: FunctionImpl): WindowReducer | undefined {
  return windowReducers.get(impl);
}

/** Reduces each range window to one value; the output drops the metric name (set by the caller). */
function overTime(f: WindowReducer): FunctionImpl {
  const impl: FunctionImpl = (vals, ctx) => {
    const w = vals.find((a): a is RangeWindow => a !== undefined && !Array.isArray(a))!;
    return f(w, vals, ctx) ? one(w.result) : [];
  };
  windowReducers.set(impl, f);
  return impl;
}

// ---- rate & friends ----

function extrapolatedRate(w: RangeWindow, isCounter: boolean, isRate: boolean): boolean {
  const { t, v: vs, lo, hi } = w;
  const n = hi - lo;
  if (n < 2) return false;
  const first = vs[lo];
  let result = vs[hi - 1] - first;
  // The scan's first iteration never changes the result, so a window without a drop needs none.
  if (isCounter && w.lastDrop > lo) {
    let last = 0;
    for (let i = lo; i < hi; i++) {
      const v = vs[i];
      if (v < last) result += last;
      last = v;
    }
  }
  let durationToStart = (t[lo] - w.rangeStart) / 1000;
  const durationToEnd = (w.rangeEnd - t[hi - 1]) / 1000;
  const sampledInterval = (t[hi - 1] - t[lo]) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  if (isCounter && result > 0 && first >= 0) {
    // A counter cannot go below zero: do not extrapolate past the point where it would hit zero.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= w.range / 1000;
  return emit(w, result * factor);
}

function instantValue(w: RangeWindow, isRate: boolean): boolean {
  const { t, v, hi } = w;
  if (hi - w.lo < 2) return false;
  const last = v[hi - 1];
  const prev = v[hi - 2];
  let result = isRate && last < prev ? last : last - prev;
  const interval = t[hi - 1] - t[hi - 2];
  if (interval === 0) return false;
  if (isRate) result /= interval / 1000;
  return emit(w, result);
}

function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function linearRegression(t: Float64Array, v: Float64Array, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = v[0];
  let constY = true;
  for (let i = 0; i < t.length; i++) {
    const y = v[i];
    if (constY && i > 0 && y !== initY) constY = false;
    n++;
    const x = (t[i] - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(y, sumY, cY);
    [sumXY, cXY] = kahanInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function holtWinters(w: RangeWindow, vals: FuncArg[]): boolean {
  const sf = scalarArg(vals[1]);
  const tf = scalarArg(vals[2]);
  if (sf <= 0 || sf >= 1) throw new EvalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (tf <= 0 || tf >= 1) throw new EvalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  const vs = windowValues(w);
  const l = vs.length;
  if (l < 2) return false;
  let s0 = 0;
  let s1 = vs[0];
  let b = vs[1] - vs[0];
  for (let i = 1; i < l; i++) {
    const x = sf * vs[i];
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return emit(w, s1);
}

// ---- quantiles ----

/** Quantile of plain values as Prometheus computes it (linear interpolation between ranks). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // NaN sorts first, as in Prometheus's value heap ordering.
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

interface Bucket {
  upperBound: number;
  count: number;
}

function bucketQuantile(q: number, buckets: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.upperBound - b.upperBound);
  if (buckets[buckets.length - 1].upperBound !== Infinity) return NaN;
  // Coalesce buckets with the same upper bound.
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  // Force monotonic counts (buckets scraped at slightly different times can disagree).
  let max = -Infinity;
  for (const b of merged) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (merged.length < 2) return NaN;
  const observations = merged[merged.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < merged.length - 1 && !(merged[b].count >= rank)) b++;
  if (b === merged.length - 1) return merged[merged.length - 2].upperBound;
  if (b === 0 && merged[0].upperBound <= 0) return merged[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = merged[b].upperBound;
  let count = merged[b].count;
  if (b > 0) {
    bucketStart = merged[b - 1].upperBound;
    count -= merged[b - 1].count;
    rank -= merged[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function histogramQuantile(vals: FuncArg[]): Sample[] {
  const q = scalarArg(vals[0]);
  const groups = new Map<string, { metric: Labels; buckets: Bucket[] }>();
  for (const s of vec(vals[1])) {
    const ub = parseGoFloat(getLabel(s.metric, BUCKET_LABEL));
    if (ub === null) continue;
    const key = labelsKey(withoutLabels(s.metric, [BUCKET_LABEL]));
    let g = groups.get(key);
    if (!g) {
      g = { metric: withoutLabels(s.metric, [BUCKET_LABEL, METRIC_NAME]), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound: ub, count: s.v });
  }
  return [...groups.values()].map((g) => ({ metric: g.metric, t: 0, v: bucketQuantile(q, g.buckets) }));
}

// ---- labels ----

function labelReplace(vals: FuncArg[], ctx: CallContext): Sample[] {
  const dst = stringArg(ctx, 1);
  const repl = stringArg(ctx, 2);
  const src = stringArg(ctx, 3);
  const reSrc = stringArg(ctx, 4);
  let re: RegExp;
  try {
    re = compileAnchoredRegex(reSrc);
  } catch {
    throw new EvalError(`invalid regular expression in label_replace(): ${reSrc}`);
  }
  if (!isValidLabelName(dst)) throw new EvalError(`invalid destination label name in label_replace(): ${dst}`);
  return vec(vals[0]).map((s) => {
    const metric = memoised(ctx, s.metric, () => {
      const m = re.exec(getLabel(s.metric, src));
      return m ? setLabel(s.metric, dst, expandTemplate(repl, m)) : s.metric;
    });
    return { metric, t: s.t, v: s.v };
  });
}

function labelJoin(vals: FuncArg[], ctx: CallContext): Sample[] {
  const dst = stringArg(ctx, 1);
  const sep = stringArg(ctx, 2);
  const srcs: string[] = [];
  for (let i = 3; i < ctx.args.length; i++) {
    const src = stringArg(ctx, i);
    if (!isValidLabelName(src)) throw new EvalError(`invalid source label name in label_join(): ${src}`);
    srcs.push(src);
  }
  if (!isValidLabelName(dst)) throw new EvalError(`invalid destination label name in label_join(): ${dst}`);
  return vec(vals[0]).map((s) => ({
    metric: memoised(ctx, s.metric, () => setLabel(s.metric, dst, srcs.map((l) => getLabel(s.metric, l)).join(sep))),
    t: s.t,
    v: s.v,
  }));
}

// ---- time ----

function dateFunc(f: (d: Date) => number): FunctionImpl {
  return (vals, ctx) => {
    if (vals.length === 0) return one(f(new Date(Math.trunc(ctx.ts / 1000) * 1000)));
    return vec(vals[0]).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: f(new Date(Math.trunc(s.v) * 1000)),
    }));
  };
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

// ---- sorting ----

function byValue(desc: boolean): (a: Sample, b: Sample) => number {
  return (a, b) => {
    const an = Number.isNaN(a.v);
    const bn = Number.isNaN(b.v);
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    return desc ? b.v - a.v : a.v - b.v;
  };
}

// ---- absent ----

/** Labels for absent()/absent_over_time(): the equality matchers of the selector argument. */
export function absentLabels(arg: Expr): Labels {
  const e = unwrapParens(arg);
  const matchers = e.kind === 'VectorSelector' ? e.matchers : e.kind === 'MatrixSelector' ? e.vs.matchers : [];
  let ls: Labels = [];
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      ls = setLabel(ls, m.name, m.value);
      has.add(m.name);
    } else {
      ls = ls.filter((l) => l.name !== m.name);
    }
  }
  return ls;
}

const sgn = (v: number): number => (v < 0 ? -1 : v > 0 ? 1 : v);

export const FUNCTION_IMPLS: Record<string, FunctionImpl> = {
  abs: simple(Math.abs),
  ceil: simple(Math.ceil),
  floor: simple(Math.floor),
  exp: simple(Math.exp),
  sqrt: simple(Math.sqrt),
  ln: simple(Math.log),
  log2: simple(goLog2),
  log10: simple(goLog10),
  sin: simple(goSin),
  cos: simple(goCos),
  tan: simple(goTan),
  asin: simple(goAsin),
  acos: simple(goAcos),
  atan: simple(goAtan),
  sinh: simple(Math.sinh),
  cosh: simple(Math.cosh),
  tanh: simple(Math.tanh),
  asinh: simple(Math.asinh),
  acosh: simple(Math.acosh),
  atanh: simple(Math.atanh),
  rad: simple((v) => (v * Math.PI) / 180),
  deg: simple((v) => (v * 180) / Math.PI),
  sgn: simple(sgn),
  pi: () => one(Math.PI),
  time: (_vals, ctx) => one(ctx.ts / 1000),
  vector: (vals) => one(scalarArg(vals[0])),
  scalar: (vals) => {
    const v = vec(vals[0]);
    return one(v.length === 1 ? v[0].v : NaN);
  },
  timestamp: (vals) => vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: s.t, v: s.t / 1000 })),
  round: (vals) => {
    const toNearest = vals.length > 1 ? scalarArg(vals[1]) : 1;
    const inv = 1 / toNearest;
    return vec(vals[0]).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: Math.floor(s.v * inv + 0.5) / inv,
    }));
  },
  clamp: (vals) => {
    const min = scalarArg(vals[1]);
    const max = scalarArg(vals[2]);
    if (max < min) return [];
    return vec(vals[0]).map((s) => ({
      metric: dropMetricName(s.metric),
      t: s.t,
      v: Math.max(min, Math.min(max, s.v)),
    }));
  },
  clamp_max: (vals) => {
    const max = scalarArg(vals[1]);
    return vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: s.t, v: Math.min(max, s.v) }));
  },
  clamp_min: (vals) => {
    const min = scalarArg(vals[1]);
    return vec(vals[0]).map((s) => ({ metric: dropMetricName(s.metric), t: s.t, v: Math.max(min, s.v) }));
  },
  sort: (vals) => [...vec(vals[0])].sort(byValue(false)),
  sort_desc: (vals) => [...vec(vals[0])].sort(byValue(true)),
  absent: (vals, ctx) => (vec(vals[0]).length > 0 ? [] : one(1, absentLabels(ctx.args[0]))),
  label_replace: labelReplace,
  label_join: labelJoin,
  histogram_quantile: histogramQuantile,
  // Native-histogram functions: classic float samples produce no output.
  histogram_count: () => [],
  histogram_sum: () => [],
  histogram_fraction: () => [],
  days_in_month: dateFunc(daysInMonth),
  day_of_month: dateFunc((d) => d.getUTCDate()),
  day_of_week: dateFunc((d) => d.getUTCDay()),
  day_of_year: dateFunc(dayOfYear),
  hour: dateFunc((d) => d.getUTCHours()),
  minute: dateFunc((d) => d.getUTCMinutes()),
  month: dateFunc((d) => d.getUTCMonth() + 1),
  year: dateFunc((d) => d.getUTCFullYear()),

  rate: overTime((w) => extrapolatedRate(w, true, true)),
  increase: overTime((w) => extrapolatedRate(w, true, false)),
  delta: overTime((w) => extrapolatedRate(w, false, false)),
  irate: overTime((w) => instantValue(w, true)),
  idelta: overTime((w) => instantValue(w, false)),
  deriv: overTime((w) => w.hi - w.lo >= 2 && emit(w, linearRegression(windowTimes(w), windowValues(w), w.t[w.lo])[0])),
  predict_linear: overTime((w, vals, ctx) => {
    if (w.hi - w.lo < 2) return false;
    const [slope, intercept] = linearRegression(windowTimes(w), windowValues(w), ctx.ts);
    return emit(w, slope * scalarArg(vals[1]) + intercept);
  }),
  holt_winters: overTime(holtWinters),
  changes: overTime((w) => {
    let changes = 0;
    const vs = w.v;
    for (let i = w.lo + 1; i < w.hi; i++) {
      const cur = vs[i];
      const prev = vs[i - 1];
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
    }
    return emit(w, changes);
  }),
  resets: overTime((w) => {
    let resets = 0;
    const vs = w.v;
    for (let i = w.lo + 1; i < w.hi; i++) if (vs[i] < vs[i - 1]) resets++;
    return emit(w, resets);
  }),
  avg_over_time: overTime((w) => {
    let mean = 0;
    let c = 0;
    let count = 0;
    for (const v of windowValues(w)) {
      count++;
      if (isInf(mean)) {
        // An infinite mean stays put unless a NaN or an Inf of the other sign arrives.
        if (isInf(v) && mean > 0 === v > 0) continue;
        if (Number.isFinite(v)) continue;
      }
      [mean, c] = kahanInc(v / count - mean / count, mean, c);
    }
    return emit(w, isInf(mean) ? mean : mean + c);
  }),
  sum_over_time: overTime((w) => {
    let sum = 0;
    let c = 0;
    for (const v of windowValues(w)) [sum, c] = kahanInc(v, sum, c);
    return emit(w, isInf(sum) ? sum : sum + c);
  }),
  count_over_time: overTime((w) => emit(w, w.hi - w.lo)),
  min_over_time: overTime((w) => {
    const vs = w.v;
    let min = vs[w.lo];
    for (let i = w.lo + 1; i < w.hi; i++) if (vs[i] < min || Number.isNaN(min)) min = vs[i];
    return emit(w, min);
  }),
  max_over_time: overTime((w) => {
    const vs = w.v;
    let max = vs[w.lo];
    for (let i = w.lo + 1; i < w.hi; i++) if (vs[i] > max || Number.isNaN(max)) max = vs[i];
    return emit(w, max);
  }),
  last_over_time: overTime((w) => emit(w, w.v[w.hi - 1])),
  present_over_time: overTime((w) => emit(w, 1)),
  absent_over_time: overTime((w) => emit(w, 1)),
  quantile_over_time: overTime((w, vals) => emit(w, quantile(scalarArg(vals[0]), Array.from(windowValues(w))))),
  stddev_over_time: overTime((w) => emit(w, Math.sqrt(variance(windowValues(w))))),
  stdvar_over_time: overTime((w) => emit(w, variance(windowValues(w)))),
};

function variance(values: Float64Array): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (const v of values) {
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

const isInf = (v: number): boolean => v === Infinity || v === -Infinity;
