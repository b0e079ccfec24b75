// Step-wise evaluation of a prepared expression over [start, end] every `interval` ms,
// following the structure of Prometheus 2.42's evaluator: every instant-vector expression
// evaluates to a set of series with one point per step where it has a value.

import { dropMetricName, EMPTY_LABELS, labelsKey, type Labels } from '../labels';
import {
  exprType,
  unwrapParens,
  type AggregateExpr,
  type BinaryExpr,
  type Call,
  type Expr,
  type MatrixSelector,
  type StringLiteral,
  type SubqueryExpr,
  type VectorSelector,
} from '../parser/ast';
import { lowerBound, upperBound } from '../search';
import { isStaleAt, type StorageSeries } from '../storage';
import { aggregateStep } from './aggregations';
import {
  matchSignature,
  ResultMetricCache,
  scalarBinop,
  vectorAnd,
  vectorBinop,
  vectorOr,
  vectorScalarBinop,
  vectorUnless,
} from './binary';
import { aggregateRange, isAccumulatingOp, type StepGrid, type StepSampleBudget } from './series-aggregation';
import { topBottomRange } from './topk';
import {
  absentLabels,
  FUNCTION_IMPLS,
  windowReducerOf,
  type CallContext,
  type FuncArg,
  type RangeWindow,
  type WindowReducer,
} from './functions';
import { EvalError, PointBuffer, TooManySamplesError, type EvalSeries, type Sample } from './types';

const EMPTY_POINTS = new Float64Array(0);

export interface EvalSettings {
  lookbackDelta: number;
  maxSamples: number;
  /** Step of subqueries written without one, given their range (ms). */
  noStepSubqueryInterval: (rangeMs: number) => number;
  /** Data selected for each selector node before evaluation. */
  data: ReadonlyMap<VectorSelector, StorageSeries[]>;
  /** Throws when the query has been cancelled or has run out of time. */
  checkCancelled: (where: string) => void;
}

export interface StringValue {
  kind: 'string';
  value: string;
}

export type EvalValue = EvalSeries[] | StringValue;

/** Samples of one series with stale markers removed, for range windows. */
interface SeriesPoints {
  metric: Labels;
  t: Float64Array;
  v: Float64Array;
}

const pointsOf = (s: StorageSeries): SeriesPoints => ({ metric: s.labels, t: s.timestamps, v: s.values });

/**
 * The points of each series in turn, each valid only until the next one is taken: series that
 * can decode their samples into reused buffers (`transientSamples`) do so, and a range function
 * visiting series one at a time then reads cache-sized arrays instead of the whole selection.
 */
function* transientPoints(series: readonly StorageSeries[]): Generator<SeriesPoints> {
  for (const s of series) {
    const samples = s.transientSamples ? s.transientSamples() : s;
    yield { metric: s.labels, t: samples.timestamps, v: samples.values };
  }
}

function withoutStale(s: SeriesPoints): SeriesPoints {
  const values = s.v;
  const n = values.length;
  // Stale markers are NaNs: most series have none, and a plain comparison finds that fastest.
  let firstNaN = 0;
  while (firstNaN < n && values[firstNaN] === values[firstNaN]) firstNaN++;
  let stale = 0;
  for (let i = firstNaN; i < n; i++) if (isStaleAt(values, i)) stale++;
  if (stale === 0) return s;
  const t = new Float64Array(n - stale);
  const v = new Float64Array(n - stale);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (isStaleAt(values, i)) continue;
    t[j] = s.t[i];
    v[j] = values[i];
    j++;
  }
  return { metric: s.metric, t, v };
}

/** What a range-vector call keeps constant over its series. */
interface RangeCall {
  /** Evaluated non-range arguments (scalars), by argument position. */
  others: (EvalSeries[] | null)[];
  /**
   * The one sample `vals` holds for each of `others`, set to the step's value at every step
   * (functions only read their arguments during the call).
   */
  scalars: (Sample | null)[];
  vals: FuncArg[];
  window: RangeWindow;
  ctx: CallContext;
  impl: (typeof FUNCTION_IMPLS)[string];
  reducer: WindowReducer | undefined;
  mods: { offset: number; timestamp: number | null };
}

function assertUniqueLabelsets(metrics: Iterable<Labels>): void {
  const seen = new Set<string>();
  for (const m of metrics) {
    const k = labelsKey(m);
    if (seen.has(k)) throw new EvalError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}

type StepFunc = (vals: FuncArg[], sigs: string[][], ts: number) => Sample[];

/**
 * Collects step results into series. Lookups go by label-set object first (the same arrays
 * recur at every step) and by label-set key otherwise; a series receiving two samples in one
 * step means the step's vector had duplicate label sets.
 */
class OutputSeries {
  // Weak, so that label sets made fresh at every step do not pile up.
  private readonly byObject = new WeakMap<Labels, EvalSeries & { step: number }>();
  private readonly byKey = new Map<string, EvalSeries & { step: number }>();
  private readonly ordered: EvalSeries[] = [];

  constructor(private readonly numSteps: number) {}

  add(step: number, ts: number, s: Sample): void {
    let ss = this.byObject.get(s.metric);
    if (!ss) {
      const key = labelsKey(s.metric);
      ss = this.byKey.get(key);
      if (!ss) {
        ss = { metric: s.metric, points: new PointBuffer(Math.min(this.numSteps, 64)), step: -1 };
        this.byKey.set(key, ss);
        this.ordered.push(ss);
      }
      this.byObject.set(s.metric, ss);
    }
    if (ss.step === step) throw new EvalError('vector cannot contain metrics with the same labelset');
    ss.step = step;
    ss.points.push(ts, s.v);
  }

  series(): EvalSeries[] {
    return this.ordered.map((s) => ({ metric: s.metric, points: s.points }));
  }
}

/** The sample limit over a whole-range aggregation, checked step by step in rangeEval's order. */
class StepBudget implements StepSampleBudget {
  private outputsSoFar = 0;
  private stepInputs = 0;

  constructor(
    private readonly base: number,
    private readonly max: number,
    private readonly extraInputsPerStep: number,
  ) {}

  inputs(n: number): void {
    this.stepInputs = n + this.extraInputsPerStep;
    if (this.base + this.outputsSoFar + this.stepInputs > this.max) throw new TooManySamplesError();
  }

  outputs(n: number): void {
    if (this.base + this.outputsSoFar + this.stepInputs + n > this.max) throw new TooManySamplesError();
    this.outputsSoFar += n;
  }
}

export class Evaluator {
  currentSamples = 0;
  private readonly matrixCache = new Map<VectorSelector, SeriesPoints[]>();

  constructor(
    readonly start: number,
    readonly end: number,
    readonly interval: number,
    private readonly settings: EvalSettings,
  ) {}

  private addSamples(n: number): void {
    this.currentSamples += n;
    if (this.currentSamples > this.settings.maxSamples) throw new TooManySamplesError();
  }

  private series(vs: VectorSelector): StorageSeries[] {
    return this.settings.data.get(vs) ?? [];
  }

  private seriesPoints(vs: VectorSelector): SeriesPoints[] {
    let pts = this.matrixCache.get(vs);
    if (!pts) {
      pts = this.series(vs).map((s) => withoutStale(pointsOf(s)));
      this.matrixCache.set(vs, pts);
    }
    return pts;
  }

  eval(e: Expr): EvalValue {
    this.settings.checkCancelled('expression evaluation');
    switch (e.kind) {
      case 'NumberLiteral':
        return this.rangeEval(null, () => [{ metric: [], t: 0, v: e.value }], []);
      case 'StringLiteral':
        return { kind: 'string', value: e.value };
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'UnaryExpr': {
        const mat = this.evalSeries(e.expr);
        if (e.op === '-') {
          for (const s of mat) {
            s.metric = dropMetricName(s.metric);
            for (let i = 0; i < s.points.n; i++) s.points.v[i] = -s.points.v[i];
          }
          assertUniqueLabelsets(mat.map((s) => s.metric));
        }
        return mat;
      }
      case 'VectorSelector':
        return this.vectorSelector(e);
      case 'MatrixSelector':
        return this.matrixSelector(e);
      case 'SubqueryExpr':
        return this.subquery(e);
      case 'AggregateExpr':
        return this.aggregation(e);
      case 'BinaryExpr':
        return this.binary(e);
      case 'Call':
        return this.call(e);
    }
  }

  evalSeries(e: Expr): EvalSeries[] {
    const v = this.eval(e);
    if (!Array.isArray(v)) throw new EvalError(`expected a series result, got a string`);
    return v;
  }

  /**
   * Evaluates `exprs` over all steps and calls `f` with each step's vectors (scalars arrive as
   * one-element vectors, string arguments as undefined). `sig` precomputes a per-series key.
   */
  private rangeEval(sig: ((m: Labels) => string) | null, f: StepFunc, exprs: (Expr | null)[]): EvalSeries[] {
    const original = this.currentSamples;
    const mats = exprs.map((e) => (e && exprType(e) !== 'string' ? this.evalSeries(e) : null));
    const cursors = mats.map((m) => (m ? new Int32Array(m.length) : null));
    const sigs = mats.map((m) => (m && sig ? m.map((s) => sig(s.metric)) : []));
    // One Sample object per input series, updated in place at every step; functions never
    // mutate their inputs and results are copied out before the next step.
    const inputs = mats.map((m) => (m ? m.map((s): Sample => ({ metric: s.metric, t: 0, v: 0 })) : []));
    const output = new OutputSeries(this.grid().steps);
    let tempSamples = this.currentSamples;
    let step = 0;
    for (let ts = this.start; ts <= this.end; ts += this.interval, step++) {
      this.settings.checkCancelled('expression evaluation');
      this.currentSamples = tempSamples;
      const vals: FuncArg[] = [];
      const stepSigs: string[][] = [];
      for (let i = 0; i < mats.length; i++) {
        const m = mats[i];
        if (!m) {
          vals.push(undefined);
          stepSigs.push([]);
          continue;
        }
        const cur = cursors[i]!;
        const vec: Sample[] = [];
        const vsig: string[] = [];
        for (let si = 0; si < m.length; si++) {
          const p = m[si].points;
          const c = cur[si];
          if (c < p.n && p.t[c] === ts) {
            if (this.currentSamples >= this.settings.maxSamples) throw new TooManySamplesError();
            const sample = inputs[i][si];
            sample.t = ts;
            sample.v = p.v[c];
            vec.push(sample);
            if (sig) vsig.push(sigs[i][si]);
            cur[si] = c + 1;
            this.currentSamples++;
          }
        }
        vals.push(vec);
        stepSigs.push(vsig);
      }
      const result = f(vals, stepSigs, ts);
      for (const s of result) output.add(step, ts, s);
      this.addSamples(result.length);
      tempSamples += result.length;
    }
    const mat = output.series();
    this.currentSamples = original + mat.reduce((n, s) => n + s.points.n, 0);
    return mat;
  }

  /** The sample a vector selector yields at step `ts`: [sample time, value] or null. */
  private sampleAt(s: StorageSeries, vs: VectorSelector, ts: number): number {
    const ref = (vs.timestamp ?? ts) - vs.offset;
    const i = upperBound(s.timestamps, ref) - 1;
    if (i < 0 || s.timestamps[i] < ref - this.settings.lookbackDelta) return -1;
    if (isStaleAt(s.values, i)) return -1;
    return i;
  }

  private vectorSelector(vs: VectorSelector): EvalSeries[] {
    const mat: EvalSeries[] = [];
    for (const s of this.series(vs)) {
      this.settings.checkCancelled('expression evaluation');
      const points = new PointBuffer(Math.min(64, Math.floor((this.end - this.start) / this.interval) + 1));
      for (let ts = this.start; ts <= this.end; ts += this.interval) {
        const i = this.sampleAt(s, vs, ts);
        if (i < 0) continue;
        if (this.currentSamples >= this.settings.maxSamples) throw new TooManySamplesError();
        points.push(ts, s.values[i]);
        this.currentSamples++;
      }
      if (points.n > 0) mat.push({ metric: s.labels, points });
    }
    return mat;
  }

  /** The vector of `vs` at one step, with each sample's own timestamp (for timestamp()). */
  private vectorSelectorAt(vs: VectorSelector, ts: number): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series(vs)) {
      const i = this.sampleAt(s, vs, ts);
      if (i >= 0) out.push({ metric: s.labels, t: s.timestamps[i], v: s.values[i] });
    }
    return out;
  }

  private matrixSelector(ms: MatrixSelector): EvalSeries[] {
    const vs = ms.vs;
    const maxt = (vs.timestamp ?? this.start) - vs.offset;
    const mint = maxt - ms.range;
    const mat: EvalSeries[] = [];
    for (const s of this.seriesPoints(vs)) {
      this.settings.checkCancelled('expression evaluation');
      const lo = lowerBound(s.t, mint);
      const hi = upperBound(s.t, maxt);
      if (hi <= lo) continue;
      const points = new PointBuffer(hi - lo);
      points.t.set(s.t.subarray(lo, hi));
      points.v.set(s.v.subarray(lo, hi));
      points.n = hi - lo;
      this.addSamples(points.n);
      mat.push({ metric: s.metric, points });
    }
    return mat;
  }

  private subquery(e: SubqueryExpr): EvalSeries[] {
    const interval = e.step || this.settings.noStepSubqueryInterval(e.range);
    const refStart = (e.timestamp ?? this.start) - e.offset;
    const refEnd = (e.timestamp ?? this.end) - e.offset;
    // First step-aligned timestamp after refStart - range (Go's truncating division).
    let start = interval * Math.trunc((refStart - e.range) / interval);
    if (start < refStart - e.range) start += interval;
    const inner = new Evaluator(start, refEnd, interval, this.settings);
    inner.currentSamples = this.currentSamples;
    const res = inner.evalSeries(e.expr);
    this.currentSamples = inner.currentSamples;
    return res;
  }

  private grid(): StepGrid {
    const steps = this.start === this.end ? 1 : Math.floor((this.end - this.start) / this.interval) + 1;
    return { start: this.start, interval: this.interval, steps };
  }

  private aggregation(e: AggregateExpr): EvalSeries[] {
    const { op, grouping, without } = e;
    if (op === 'count_values') {
      const label = (unwrapParens(e.param!) as StringLiteral).value;
      return this.rangeEval(null, (v) => aggregateStep(op, grouping, without, label, v[0] as Sample[]), [e.expr]);
    }
    if (op === 'quantile') {
      return this.rangeEval(
        null,
        (v) => aggregateStep(op, grouping, without, (v[0] as Sample[])[0].v, v[1] as Sample[]),
        [e.param, e.expr],
      );
    }
    // The other operators aggregate the whole range at once; the sample limit is applied per step
    // as rangeEval would (the parameter counting as one input sample per step).
    const original = this.currentSamples;
    const params = e.param ? this.evalSeries(e.param) : null;
    const input = this.evalSeries(e.expr);
    const budget = new StepBudget(this.currentSamples, this.settings.maxSamples, params ? 1 : 0);
    const check = () => this.settings.checkCancelled('expression evaluation');
    let mat: EvalSeries[];
    if (isAccumulatingOp(op)) mat = aggregateRange(op, grouping, without, input, this.grid(), budget, check);
    else {
      const k = params?.[0]?.points.v ?? new Float64Array(0);
      mat = topBottomRange(op, grouping, without, input, k, this.grid(), budget, check);
    }
    this.currentSamples = original + mat.reduce((n, s) => n + s.points.n, 0);
    return mat;
  }

  private binary(e: BinaryExpr): EvalSeries[] {
    const lt = exprType(e.lhs);
    const rt = exprType(e.rhs);
    const scalar = (a: FuncArg): number => (a as Sample[])[0].v;
    if (lt === 'scalar' && rt === 'scalar') {
      return this.rangeEval(null, (v) => [{ metric: [], t: 0, v: scalarBinop(e.op, scalar(v[0]), scalar(v[1])) }], [
        e.lhs,
        e.rhs,
      ]);
    }
    if (lt === 'vector' && rt === 'vector') {
      const vm = e.matching!;
      const sig = (m: Labels): string => matchSignature(m, vm);
      const setOps = { and: vectorAnd, or: vectorOr, unless: vectorUnless } as const;
      if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
        const f = setOps[e.op];
        return this.rangeEval(sig, (v, s) => f(v[0] as Sample[], v[1] as Sample[], s[0], s[1]), [e.lhs, e.rhs]);
      }
      const cache = new ResultMetricCache();
      return this.rangeEval(
        sig,
        (v, s) => vectorBinop(e.op, v[0] as Sample[], v[1] as Sample[], vm, e.returnBool, s[0], s[1], cache),
        [e.lhs, e.rhs],
      );
    }
    if (lt === 'vector') {
      return this.rangeEval(null, (v) => vectorScalarBinop(e.op, v[0] as Sample[], scalar(v[1]), false, e.returnBool), [
        e.lhs,
        e.rhs,
      ]);
    }
    return this.rangeEval(null, (v) => vectorScalarBinop(e.op, v[1] as Sample[], scalar(v[0]), true, e.returnBool), [
      e.lhs,
      e.rhs,
    ]);
  }

  private call(e: Call): EvalSeries[] {
    const impl = FUNCTION_IMPLS[e.func.name];
    if (!impl) throw new EvalError(`function ${e.func.name} is not implemented`);
    const args = e.args.map(unwrapParens);
    const ctx: CallContext = { ts: 0, args, memo: new Map() };
    if (e.func.name === 'timestamp' && args[0].kind === 'VectorSelector') {
      const vs = args[0];
      return this.rangeEval(
        null,
        (_v, _s, ts) => {
          ctx.ts = ts;
          return impl([this.vectorSelectorAt(vs, ts)], ctx);
        },
        [],
      );
    }
    const matrixIdx = args.findIndex((a) => a.kind === 'MatrixSelector' || a.kind === 'SubqueryExpr');
    if (matrixIdx < 0) {
      return this.rangeEval(
        null,
        (v, _s, ts) => {
          ctx.ts = ts;
          return impl(v, ctx);
        },
        args,
      );
    }
    return this.callWithRange(e, args, matrixIdx, impl, ctx);
  }

  /** Calls a range-vector function series by series, step by step. */
  private callWithRange(
    e: Call,
    args: Expr[],
    matrixIdx: number,
    impl: (typeof FUNCTION_IMPLS)[string],
    ctx: CallContext,
  ): EvalSeries[] {
    const others = args.map((a, i) => (i === matrixIdx ? null : this.evalSeries(a)));
    const arg = args[matrixIdx] as MatrixSelector | SubqueryExpr;
    let source: Iterable<SeriesPoints>;
    let mods: { offset: number; timestamp: number | null };
    let subquerySamples = 0;
    // Selected data may hold stale markers; evaluated subquery results hold none.
    const mayHoldStale = arg.kind === 'MatrixSelector';
    if (arg.kind === 'MatrixSelector') {
      source = transientPoints(this.series(arg.vs));
      mods = arg.vs;
    } else {
      const res = this.subquery(arg);
      source = res.map((s) => ({ metric: s.metric, t: s.points.timestamps, v: s.points.values }));
      subquerySamples = res.reduce((n, s) => n + s.points.n, 0);
      mods = arg;
    }
    const scalars = others.map((o): Sample | null => (o ? { metric: [], t: 0, v: 0 } : null));
    const vals: FuncArg[] = scalars.map((s) => (s ? [s] : undefined));
    // One window object per call, refilled at every step: functions only read it during the call.
    const window: RangeWindow = {
      metric: EMPTY_LABELS,
      t: EMPTY_POINTS,
      v: EMPTY_POINTS,
      lo: 0,
      hi: 0,
      lastDrop: -1,
      rangeStart: 0,
      rangeEnd: 0,
      range: arg.range,
      // a float from the start: V8 then gives the field a float representation, written in place
      result: NaN,
    };
    vals[matrixIdx] = window;
    const call: RangeCall = { others, scalars, vals, window, ctx, impl, reducer: windowReducerOf(impl), mods };
    const keepName = e.func.name === 'last_over_time';
    const mat: EvalSeries[] = [];
    for (const s of source) {
      this.settings.checkCancelled('expression evaluation');
      if (s.t.length === 0) continue;
      // Most series have no stale marker; one met inside a window means evaluating a filtered copy.
      const points = this.rangeSteps(s, call, mayHoldStale) ?? this.rangeSteps(withoutStale(s), call, false)!;
      if (points.n > 0) {
        this.addSamples(points.n);
        mat.push({ metric: keepName ? s.metric : dropMetricName(s.metric), points });
      }
    }
    this.currentSamples -= subquerySamples;
    if (e.func.name === 'absent_over_time') return this.absentOverTime(mat, args[0]);
    assertUniqueLabelsets(mat.map((s) => s.metric));
    return mat;
  }

  /**
   * One series' points of a range-vector call, or null when `checkStale` is set and a window holds a
   * stale marker. Window bounds only move forward from step to step, so the indices advance instead
   * of searching, and the greatest counter drop below `hi` is tracked on the way.
   */
  private rangeSteps(s: SeriesPoints, call: RangeCall, checkStale: boolean): PointBuffer | null {
    const { others, scalars, vals, window, ctx, impl, reducer } = call;
    const { offset, timestamp } = call.mods;
    const { start, end, interval } = this;
    const range = window.range;
    const t = s.t;
    const v = s.v;
    const n = t.length;
    window.metric = s.metric;
    window.t = t;
    window.v = v;
    const steps = this.grid().steps;
    // Steps whose window can hold a sample of this series bound the output's length.
    const span = timestamp === null ? Math.floor((t[n - 1] - t[0] + range) / interval) + 2 : steps;
    const points = new PointBuffer(Math.min(steps, span));
    let lo = 0;
    let hi = 0;
    let lastDrop = -1;
    let step = -1;
    for (let ts = start; ts <= end; ts += interval) {
      step++;
      for (let j = 0; j < others.length; j++) {
        const o = others[j];
        if (o) {
          const sample = scalars[j]!;
          sample.t = ts;
          sample.v = o[0].points.v[step];
        }
      }
      // Not `(timestamp ?? ts) - offset`: mixing the field's boxed number with the loop's
      // float64 would box the step's time on every step.
      const maxt = timestamp === null ? ts - offset : timestamp - offset;
      const mint = maxt - range;
      while (lo < n && t[lo] < mint) lo++;
      if (hi < lo) hi = lo;
      while (hi < n && t[hi] <= maxt) {
        const x = v[hi];
        if (x !== x && checkStale && isStaleAt(v, hi)) return null;
        if (hi > 0 && x < v[hi - 1]) lastDrop = hi;
        hi++;
      }
      if (hi <= lo) continue;
      window.lo = lo;
      window.hi = hi;
      window.lastDrop = lastDrop;
      window.rangeStart = mint;
      window.rangeEnd = maxt;
      ctx.ts = ts;
      if (reducer) {
        if (reducer(window, vals, ctx)) points.push(ts, window.result);
      } else {
        const res = impl(vals, ctx);
        if (res.length > 0) points.push(ts, res[0].v);
      }
    }
    return points;
  }

  private absentOverTime(mat: EvalSeries[], arg: Expr): EvalSeries[] {
    const found = new Set<number>();
    for (const s of mat) for (let i = 0; i < s.points.n; i++) found.add(s.points.t[i]);
    const points = new PointBuffer(4);
    for (let ts = this.start; ts <= this.end; ts += this.interval) if (!found.has(ts)) points.push(ts, 1);
    if (points.n === 0) return [];
    return [{ metric: absentLabels(arg), points }];
  }
}
