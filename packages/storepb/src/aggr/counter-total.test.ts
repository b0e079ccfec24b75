import { describe, expect, it } from 'vitest';
import { CounterTotal } from './counter-total';

function totals(samples: Array<[number, number]>): Array<[number, number]> {
  const counter = new CounterTotal();
  const out: Array<[number, number]> = [];
  for (const [t, v] of samples) if (counter.add(t, v)) out.push([t, counter.total]);
  return out;
}

describe('CounterTotal', () => {
  it('adds a reset back and skips NaN and older samples', () => {
    expect(
      totals([
        [1, 5],
        [2, NaN],
        [3, 8],
        [4, 2],
        [3, 100],
        [5, 4],
      ]),
    ).toEqual([
      [1, 5],
      [3, 8],
      [4, 10],
      [5, 12],
    ]);
  });

  it('takes a repeated timestamp as the true last raw value for the next comparison', () => {
    // 10 at t=2 repeated with raw 1 (a chunk's closing sample after a reset): 3 at t=3 is then +2, not a reset
    expect(
      totals([
        [1, 5],
        [2, 10],
        [2, 1],
        [3, 3],
      ]),
    ).toEqual([
      [1, 5],
      [2, 10],
      [3, 12],
    ]);
  });
});
