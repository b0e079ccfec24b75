// Step-major access to many series' points for operators that need every series at each step
// (topk, bottomk). Visiting each series at each step touches as many arrays per step as there are
// series, which stops fitting in cache at thousands of series; instead a block of steps is filled
// series by series (reading each series sequentially) and then read row by row.

import { stepIndex, type StepGrid } from './series-aggregation';
import type { EvalSeries } from './types';

/**
 * Steps per block. Each block visits every series once, and at thousands of series a visit
 * mostly waits for memory (the series' arrays are spread over the heap), so blocks are long;
 * a block's columns take 9 bytes per series and step (1.1 MB at 2000 series).
 */
const BLOCK_STEPS = 64;

export class StepColumns {
  /** The block's values: a row per step, a column per input series (see {@link row}). */
  readonly values: Float64Array;
  /** 1 where the series has a point at the row's step. */
  readonly present: Uint8Array;
  /** Points per row of the block. */
  private readonly counts = new Int32Array(BLOCK_STEPS);
  private readonly cursor: Int32Array;
  /** The series' point arrays and lengths, gathered once rather than looked up per block. */
  private readonly times: Float64Array[];
  private readonly points: Float64Array[];
  private readonly lengths: Int32Array;
  private blockStart = 0;
  private blockEnd = 0;

  constructor(
    input: readonly EvalSeries[],
    private readonly grid: StepGrid,
  ) {
    const n = input.length;
    this.values = new Float64Array(BLOCK_STEPS * n);
    this.present = new Uint8Array(BLOCK_STEPS * n);
    this.cursor = new Int32Array(n);
    this.times = input.map((s) => s.points.t);
    this.points = input.map((s) => s.points.v);
    this.lengths = Int32Array.from(input, (s) => s.points.n);
  }

  /**
   * Where `step`'s row starts in {@link values} and {@link present}: series `si` is at
   * `row + si`. Valid until the next call; steps must be asked for in increasing order.
   */
  row(step: number): number {
    if (step >= this.blockEnd || step < this.blockStart) this.fill(step);
    return (step - this.blockStart) * this.lengths.length;
  }

  /** How many series have a point at `step`, which {@link row} was last asked for. */
  count(step: number): number {
    return this.counts[step - this.blockStart];
  }

  private fill(from: number): void {
    const n = this.lengths.length;
    const grid = this.grid;
    const { start, interval, steps } = grid;
    const end = Math.min(steps, from + BLOCK_STEPS);
    // Points sit on the step grid, so a point belongs to a later block from this time on.
    const endT = start + end * interval;
    this.blockStart = from;
    this.blockEnd = end;
    const columns = this.values;
    const present = this.present;
    const counts = this.counts;
    present.fill(0);
    counts.fill(0);
    for (let si = 0; si < n; si++) {
      const t = this.times[si];
      const v = this.points[si];
      const len = this.lengths[si];
      let c = this.cursor[si];
      for (; c < len; c++) {
        const tc = t[c];
        if (tc >= endT) break;
        const row = stepIndex(grid, tc) - from;
        if (row < 0) continue;
        const at = row * n + si;
        columns[at] = v[c];
        present[at] = 1;
        counts[row]++;
      }
      this.cursor[si] = c;
    }
  }
}
