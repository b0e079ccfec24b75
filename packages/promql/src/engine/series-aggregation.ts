// sum, avg, count, min, max, group, stddev and stdvar over a whole range at once: each input
// series is walked once (series-major, cache-friendly) and folded into per-group typed arrays
// holding one accumulator per step. Per step, the samples of a group are folded in input order,
// exactly as the step-by-step evaluator of Prometheus 2.42 does, so every float result is the same.

import type { Labels } from '../labels';
import type { AggregateOp } from '../parser/ast';
import { groupLabels, groupingKey } from './aggregations';
import { PointBuffer, type EvalSeries } from './types';

export type AccumulatingOp = 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar';

const ACCUMULATING = new Set<AggregateOp>(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar']);

export function isAccumulatingOp(op: AggregateOp): op is AccumulatingOp {
  return ACCUMULATING.has(op);
}

/** The evaluation steps of a range: `steps` timestamps `start + i * interval`. */
export interface StepGrid {
  start: number;
  interval: number;
  steps: number;
}

/** The evaluator's sample limit, applied step by step as its step-wise loop applies it. */
export interface StepSampleBudget {
  /** A step's input samples, before they are aggregated; throws when over the limit. */
  inputs(n: number): void;
  /** The same step's output samples; throws when over the limit. */
  outputs(n: number): void;
}

/** Step index of a point's timestamp (points of instant-vector results sit on the step grid). */
export function stepIndex(grid: StepGrid, t: number): number {
  return (t - grid.start) / grid.interval;
}

/** Per-step accumulators of one group: `n[i]` samples folded at step i (0: no output there). */
interface Accumulators {
  value: Float64Array;
  /** Running mean of avg, stddev and stdvar (avg keeps it in `value`). */
  mean: Float64Array;
  n: Float64Array;
}

type Fold = (a: Accumulators, i: number, v: number) => void;

/** First sample of a group at a step, as Prometheus initialises a group. */
const START: Record<AccumulatingOp, Fold> = {
  sum: (a, i, v) => void (a.value[i] = v),
  min: (a, i, v) => void (a.value[i] = v),
  max: (a, i, v) => void (a.value[i] = v),
  avg: (a, i, v) => void (a.value[i] = v),
  count: () => undefined,
  group: (a, i) => void (a.value[i] = 1),
  stddev: (a, i, v) => void ((a.value[i] = 0), (a.mean[i] = v)),
  stdvar: (a, i, v) => void ((a.value[i] = 0), (a.mean[i] = v)),
};

function foldVariance(a: Accumulators, i: number, v: number): void {
  const delta = v - a.mean[i];
  a.mean[i] += delta / a.n[i];
  a.value[i] += delta * (v - a.mean[i]);
}

/** Every further sample; `a.n[i]` already counts it. */
const FOLD: Record<AccumulatingOp, Fold> = {
  sum: (a, i, v) => void (a.value[i] += v),
  min: (a, i, v) => {
    const cur = a.value[i];
    if (cur > v || Number.isNaN(cur)) a.value[i] = v;
  },
  max: (a, i, v) => {
    const cur = a.value[i];
    if (cur < v || Number.isNaN(cur)) a.value[i] = v;
  },
  avg: (a, i, v) => {
    const mean = a.value[i];
    const count = a.n[i];
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      // An infinite mean stays put unless a NaN or an Inf of the other sign arrives.
      if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) return;
      if (Number.isFinite(v)) return;
    }
    a.value[i] = mean + (v / count - mean / count);
  },
  count: () => undefined,
  group: () => undefined,
  stddev: foldVariance,
  stdvar: foldVariance,
};

const RESULT: Record<AccumulatingOp, (a: Accumulators, i: number) => number> = {
  sum: (a, i) => a.value[i],
  min: (a, i) => a.value[i],
  max: (a, i) => a.value[i],
  avg: (a, i) => a.value[i],
  count: (a, i) => a.n[i],
  group: (a, i) => a.value[i],
  stddev: (a, i) => Math.sqrt(a.value[i] / a.n[i]),
  stdvar: (a, i) => a.value[i] / a.n[i],
};

interface Group extends Accumulators {
  labels: Labels;
  /** First step with a sample, and the first input series with a sample there: the output order. */
  firstStep: number;
  firstSeries: number;
  /** Last step with a sample: the accumulators cover steps firstStep..lastStep only. */
  lastStep: number;
}

/**
 * Aggregates `input` (one point per step where present) by group over all steps. Output series come in
 * the order the step-by-step evaluator first emits them: by first step, then by first input series.
 */
export function aggregateRange(
  op: AccumulatingOp,
  grouping: readonly string[],
  without: boolean,
  input: readonly EvalSeries[],
  grid: StepGrid,
  budget: StepSampleBudget,
  checkCancelled: () => void,
): EvalSeries[] {
  const steps = grid.steps;
  // First pass: each series' group, and each group's step span (so short-lived groups stay small).
  const groups = new Map<string, Group>();
  const groupOf: (Group | undefined)[] = new Array(input.length);
  const empty = new Float64Array(0);
  for (let si = 0; si < input.length; si++) {
    const s = input[si];
    const n = s.points.n;
    if (n === 0) continue;
    const key = groupingKey(s.metric, grouping, without);
    let g = groups.get(key);
    if (!g) {
      const labels = groupLabels(s.metric, grouping, without);
      g = { labels, value: empty, mean: empty, n: empty, firstStep: steps, firstSeries: si, lastStep: -1 };
      groups.set(key, g);
    }
    groupOf[si] = g;
    const first = stepIndex(grid, s.points.t[0]);
    if (first < g.firstStep) {
      g.firstStep = first;
      g.firstSeries = si;
    }
    g.lastStep = Math.max(g.lastStep, stepIndex(grid, s.points.t[n - 1]));
  }
  for (const g of groups.values()) {
    const span = g.lastStep - g.firstStep + 1;
    g.n = new Float64Array(span);
    if (op !== 'count') g.value = new Float64Array(span);
    if (op === 'stddev' || op === 'stdvar') g.mean = new Float64Array(span);
  }
  // Second pass: fold every sample into its group's accumulator of its step, series by series.
  const inputsPerStep = new Int32Array(steps);
  const start = START[op];
  const fold = FOLD[op];
  for (let si = 0; si < input.length; si++) {
    const g = groupOf[si];
    if (!g) continue;
    checkCancelled();
    const { t, v, n } = input[si].points;
    for (let p = 0; p < n; p++) {
      const step = stepIndex(grid, t[p]);
      inputsPerStep[step]++;
      const i = step - g.firstStep;
      if (g.n[i]++ === 0) start(g, i, v[p]);
      else fold(g, i, v[p]);
    }
  }
  const ordered = [...groups.values()].sort((a, b) => a.firstStep - b.firstStep || a.firstSeries - b.firstSeries);
  const outputsPerStep = new Int32Array(steps);
  const result = RESULT[op];
  const series: EvalSeries[] = [];
  for (const g of ordered) {
    const span = g.n.length;
    let count = 0;
    for (let i = 0; i < span; i++) if (g.n[i] > 0) count++;
    const points = new PointBuffer(count);
    for (let i = 0; i < span; i++) {
      if (g.n[i] === 0) continue;
      const step = g.firstStep + i;
      outputsPerStep[step]++;
      points.push(grid.start + step * grid.interval, result(g, i));
    }
    series.push({ metric: g.labels, points });
  }
  for (let i = 0; i < steps; i++) {
    budget.inputs(inputsPerStep[i]);
    budget.outputs(outputsPerStep[i]);
  }
  return series;
}
