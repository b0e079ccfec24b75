// Step-major access to many series' points for operators that need every series at each step
// (topk, bottomk). Visiting each series at each step touches as many arrays per step as there are
// series, which stops fitting in cache at thousands of series; instead a block of steps is filled
// series by series (reading each series sequentially) and then read row by row.

import { stepIndex, type StepGrid } from './series-aggregation';
import type { EvalSeries } from './types';

const BLOCK_STEPS = 16;

export class StepColumns {
  private readonly values: Float64Array;
  private readonly present: Uint8Array;
  private readonly cursor: Int32Array;
  private blockStart = 0;
  private blockEnd = 0;

  constructor(
    private readonly input: readonly EvalSeries[],
    private readonly grid: StepGrid,
  ) {
    this.values = new Float64Array(BLOCK_STEPS * input.length);
    this.present = new Uint8Array(BLOCK_STEPS * input.length);
    this.cursor = new Int32Array(input.length);
  }

  /**
   * Writes the input series present at `step` and their values, in input order, into `series` and
   * `values`; returns how many. Steps must be asked for in increasing order.
   */
  at(step: number, series: Int32Array, values: Float64Array): number {
    if (step >= this.blockEnd || step < this.blockStart) this.fill(step);
    const n = this.input.length;
    const row = (step - this.blockStart) * n;
    let count = 0;
    for (let si = 0; si < n; si++) {
      if (this.present[row + si] === 0) continue;
      series[count] = si;
      values[count] = this.values[row + si];
      count++;
    }
    return count;
  }

  private fill(from: number): void {
    const n = this.input.length;
    const end = Math.min(this.grid.steps, from + BLOCK_STEPS);
    this.blockStart = from;
    this.blockEnd = end;
    this.present.fill(0);
    for (let si = 0; si < n; si++) {
      const { t, v, n: len } = this.input[si].points;
      let c = this.cursor[si];
      for (; c < len; c++) {
        const step = stepIndex(this.grid, t[c]);
        if (step >= end) break;
        if (step < from) continue;
        const at = (step - from) * n + si;
        this.values[at] = v[c];
        this.present[at] = 1;
      }
      this.cursor[si] = c;
    }
  }
}
