// topk and bottomk over a whole range, step by step on typed arrays: each step's samples are
// gathered into columns, each group keeps a binary heap of (series, value) pairs in a slice of
// two shared typed arrays, and the heap operations mirror Go's container/heap as Prometheus 2.42
// uses it, so that ties keep the same series.

import { groupingKey, toInt64 } from './aggregations';
import type { StepGrid, StepSampleBudget } from './series-aggregation';
import { StepColumns } from './step-columns';
import { PointBuffer, type EvalSeries } from './types';

type Less = (a: number, b: number) => boolean;

const topLess: Less = (a, b) => Number.isNaN(a) || a < b;
const bottomLess: Less = (a, b) => Number.isNaN(a) || a > b;

/** One heap per group, each in the slice [offset, offset + capacity) of shared arrays. */
class GroupHeaps {
  readonly series: Int32Array;
  readonly values: Float64Array;

  constructor(
    size: number,
    private readonly less: Less,
  ) {
    this.series = new Int32Array(size);
    this.values = new Float64Array(size);
  }

  set(at: number, series: number, value: number): void {
    this.series[at] = series;
    this.values[at] = value;
  }

  private swap(a: number, b: number): void {
    const s = this.series[a];
    const v = this.values[a];
    this.set(a, this.series[b], this.values[b]);
    this.set(b, s, v);
  }

  private up(o: number, j0: number): void {
    let j = j0;
    while (j > 0) {
      const i = (j - 1) >> 1;
      if (!this.less(this.values[o + j], this.values[o + i])) break;
      this.swap(o + i, o + j);
      j = i;
    }
  }

  private down(o: number, n: number): void {
    let i = 0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      if (j1 + 1 < n && this.less(this.values[o + j1 + 1], this.values[o + j1])) j = j1 + 1;
      if (!this.less(this.values[o + j], this.values[o + i])) break;
      this.swap(o + i, o + j);
      i = j;
    }
  }

  /** Pushes onto the heap at `o` holding `n` elements. */
  push(o: number, n: number, series: number, value: number): void {
    this.set(o + n, series, value);
    this.up(o, n);
  }

  /** Removes the least element of the heap at `o` holding `n` elements. */
  pop(o: number, n: number): void {
    this.swap(o, o + n - 1);
    this.down(o, n - 1);
  }

  /** Positions of the heap's elements, greatest first (a stable sort of the heap, as Prometheus's output). */
  sortedDescending(o: number, n: number): number[] {
    const pos = Array.from({ length: n }, (_, j) => o + j);
    const v = this.values;
    return pos.sort((a, b) => (this.less(v[b], v[a]) ? -1 : this.less(v[a], v[b]) ? 1 : 0));
  }
}

/**
 * topk or bottomk of `input` at every step of `grid`, `params[i]` being k at step i. Output series
 * are the selected input series, in the order the step-by-step evaluator first emits them.
 */
export function topBottomRange(
  op: 'topk' | 'bottomk',
  grouping: readonly string[],
  without: boolean,
  input: readonly EvalSeries[],
  params: Float64Array,
  grid: StepGrid,
  budget: StepSampleBudget,
  checkCancelled: () => void,
): EvalSeries[] {
  const n = input.length;
  const groupOf = new Int32Array(n);
  const groupIds = new Map<string, number>();
  const sizes: number[] = [];
  for (let si = 0; si < n; si++) {
    const key = groupingKey(input[si].metric, grouping, without);
    let g = groupIds.get(key);
    if (g === undefined) {
      g = sizes.length;
      groupIds.set(key, g);
      sizes.push(0);
    }
    groupOf[si] = g;
    sizes[g]++;
  }
  const numGroups = sizes.length;
  const offsets = new Int32Array(numGroups);
  for (let g = 1; g < numGroups; g++) offsets[g] = offsets[g - 1] + sizes[g - 1];

  const isTop = op === 'topk';
  const heaps = new GroupHeaps(n, isTop ? topLess : bottomLess);
  const heapLen = new Int32Array(numGroups);
  const seenAtStep = new Int32Array(numGroups).fill(-1);
  const stepGroups = new Int32Array(numGroups);
  const columns = new StepColumns(input, grid);
  const { present, values } = columns;
  const outIndex = new Int32Array(n).fill(-1);
  const out: EvalSeries[] = [];

  for (let step = 0; step < grid.steps; step++) {
    checkCancelled();
    const ts = grid.start + step * grid.interval;
    const row = columns.row(step);
    budget.inputs(columns.count(step));
    const k = toInt64(params[step]);
    if (k < 1) {
      budget.outputs(0);
      continue;
    }
    let numStepGroups = 0;
    for (let si = 0; si < n; si++) {
      if (present[row + si] === 0) continue;
      const v = values[row + si];
      const g = groupOf[si];
      const o = offsets[g];
      if (seenAtStep[g] !== step) {
        seenAtStep[g] = step;
        stepGroups[numStepGroups++] = g;
        heaps.set(o, si, v);
        heapLen[g] = 1;
        continue;
      }
      let len = heapLen[g];
      const top = heaps.values[o];
      const better = isTop ? top < v : top > v;
      if (len < k || better || Number.isNaN(top)) {
        if (len === k) {
          if (k === 1) {
            heaps.set(o, si, v);
            continue;
          }
          heaps.pop(o, len);
          len--;
        }
        heaps.push(o, len, si, v);
        heapLen[g] = len + 1;
      }
    }
    let emitted = 0;
    for (let j = 0; j < numStepGroups; j++) {
      const g = stepGroups[j];
      for (const at of heaps.sortedDescending(offsets[g], heapLen[g])) {
        const si = heaps.series[at];
        let oi = outIndex[si];
        if (oi < 0) {
          oi = outIndex[si] = out.length;
          out.push({ metric: input[si].metric, points: new PointBuffer(Math.min(grid.steps, 64)) });
        }
        out[oi].points.push(ts, heaps.values[at]);
        emitted++;
      }
    }
    budget.outputs(emitted);
  }
  return out;
}
