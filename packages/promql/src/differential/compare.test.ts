import { describe, expect, it } from 'vitest';
import { compareResults } from './compare';
import { normalizePrometheus, parsePromFloat, type NormResult } from './normalize';

const vector = (...samples: [string, number][]): NormResult => ({
  kind: 'vector',
  samples: samples.map(([metric, v]) => ({ metric, timestamps: [1000], values: [v] })),
});

describe('compareResults', () => {
  it('accepts values within the relative tolerance and NaN against NaN', () => {
    expect(compareResults(vector(['a', 1], ['b', NaN]), vector(['b', NaN], ['a', 1 + 1e-9]), false)).toBeNull();
    expect(compareResults(vector(['a', 1]), vector(['a', 1.001]), false)).toMatch(/a @1000: 1 vs 1.001/);
    expect(compareResults(vector(['a', NaN]), vector(['a', 0]), false)).toMatch(/NaN vs 0/);
  });

  it('reports extra and missing series', () => {
    expect(compareResults(vector(['a', 1], ['b', 2]), vector(['a', 1]), false)).toMatch(/extra series b/);
    expect(compareResults(vector(['a', 1]), vector(['a', 1], ['c', 3]), false)).toMatch(/missing series c/);
  });

  it('checks order by value only when the query defines one', () => {
    const ours = vector(['a', 1], ['b', 2]);
    const theirs = vector(['b', 2], ['a', 1]);
    expect(compareResults(ours, theirs, false)).toBeNull();
    expect(compareResults(ours, theirs, true)).toMatch(/order differs at 0/);
    // ties may come in either order
    expect(compareResults(vector(['a', 5], ['b', 5]), vector(['b', 5], ['a', 5]), true)).toBeNull();
  });

  it('requires both sides to fail or neither', () => {
    const err: NormResult = { kind: 'error', message: 'boom' };
    expect(compareResults(err, { kind: 'error', message: 'other words' }, false)).toBeNull();
    expect(compareResults(err, vector(), false)).toBe('only we failed: boom');
    expect(compareResults(vector(), err, false)).toBe('only Prometheus failed: boom');
  });

  it('compares matrices point by point, timestamps exactly', () => {
    const m = (ts: number[], vs: number[]): NormResult => ({
      kind: 'matrix',
      series: [{ metric: 'x', timestamps: ts, values: vs }],
    });
    expect(compareResults(m([0, 60_000], [1, 2]), m([0, 60_000], [1, 2]), false)).toBeNull();
    expect(compareResults(m([0, 60_000], [1, 2]), m([0, 61_000], [1, 2]), false)).toMatch(/timestamp 60000 vs 61000/);
    expect(compareResults(m([0], [1]), m([0, 60_000], [1, 2]), false)).toMatch(/1 points vs 2/);
  });
});

describe('normalizePrometheus', () => {
  it('reads API floats, seconds and label sets', () => {
    expect([parsePromFloat('+Inf'), parsePromFloat('-Inf'), parsePromFloat('NaN'), parsePromFloat('1e3')]).toEqual([
      Infinity,
      -Infinity,
      NaN,
      1000,
    ]);
    expect(
      normalizePrometheus({
        resultType: 'matrix',
        result: [{ metric: { __name__: 'up', job: 'a' }, values: [[1700000000.015, '1']] }],
      }),
    ).toEqual({ kind: 'matrix', series: [{ metric: 'up{job="a"}', timestamps: [1700000000015], values: [1] }] });
  });
});
