import { describe, expect, it } from 'vitest';
import { dedupSamples, isCounterFunction, type SampleSeries } from './penalty';

function s(samples: [number, number][]): SampleSeries {
  return { timestamps: Float64Array.from(samples, (x) => x[0]), values: Float64Array.from(samples, (x) => x[1]) };
}

function pairs(r: SampleSeries): [number, number][] {
  return Array.from(r.timestamps, (t, i) => [t, r.values[i]]);
}

const every = (from: number, to: number, step: number, v: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let t = from; t <= to; t += step) out.push([t, v]);
  return out;
};

describe('penalty deduplication of two replicas', () => {
  it('follows the first replica when both have the same timestamps', () => {
    const a = s(every(10000, 40000, 10000, 1));
    const b = s(every(10000, 40000, 10000, 2));
    expect(pairs(dedupSamples([a, b]))).toEqual(every(10000, 40000, 10000, 1));
  });

  it('follows the replica that starts earlier', () => {
    const a = s(every(10100, 40100, 10000, 1));
    const b = s(every(10000, 40000, 10000, 2));
    expect(pairs(dedupSamples([a, b]))).toEqual(every(10000, 40000, 10000, 2));
  });

  it('does not switch on a gap of one scrape interval', () => {
    const a = s([
      [10000, 1],
      [20000, 1],
      [40000, 1],
    ]);
    expect(pairs(dedupSamples([a, s(every(10000, 40000, 10000, 2))]))).toEqual(pairs(a));
    expect(pairs(dedupSamples([a, s(every(15000, 45000, 10000, 2))]))).toEqual(pairs(a));
  });

  it('switches once the gap exceeds twice the last interval, and stays on the new replica', () => {
    const a = s([
      [10000, 1],
      [20000, 1],
      [30000, 1],
      [60000, 1],
      [70000, 1],
    ]);
    const b = s(every(10100, 60100, 10000, 2));
    expect(pairs(dedupSamples([a, b]))).toEqual([
      [10000, 1],
      [20000, 1],
      [30000, 1],
      [50100, 2],
      [60100, 2],
    ]);
  });

  it('uses the 5 s initial penalty before a second sample is known', () => {
    // b's sample 3 s after a's first is inside the initial penalty and skipped.
    const a = s([
      [0, 1],
      [60000, 1],
    ]);
    const b = s([
      [3000, 2],
      [6000, 2],
      [9000, 2],
    ]);
    // After t=0 from a, b is sought from 5001: 6000 < 60000, so b wins and a is penalised.
    expect(pairs(dedupSamples([a, b]))).toEqual([
      [0, 1],
      [6000, 2],
      [9000, 2],
      [60000, 1],
    ]);
  });

  it('follows the only replica with data while another starts late', () => {
    const late = s(every(60000, 100000, 10000, 1));
    const early = s(every(10100, 100100, 10000, 2));
    expect(pairs(dedupSamples([late, early]))).toEqual(every(10100, 100100, 10000, 2));
  });

  it('handles empty replicas', () => {
    const a = s(every(0, 20000, 10000, 1));
    const empty = s([]);
    expect(pairs(dedupSamples([empty, a]))).toEqual(pairs(a));
    expect(pairs(dedupSamples([a, empty]))).toEqual(pairs(a));
    expect(pairs(dedupSamples([empty, empty]))).toEqual([]);
  });

  it('folds three replicas left, dedup(dedup(r0, r1), r2)', () => {
    const r0 = s(every(0, 30000, 10000, 0));
    const r1 = s(every(100, 60100, 10000, 1).filter(([t]) => t < 40000 || t > 50000));
    const r2 = s(every(200, 120200, 10000, 2));
    expect(pairs(dedupSamples([r0, r1, r2]))).toEqual([
      [0, 0],
      [10000, 0],
      [20000, 0],
      [30000, 0],
      // r0 ends; the inner merge continues with r1 after r1's own gap (its next sample
      // >= 30000 + 1 + 2 * 10000), and the outer merge keeps following the inner one.
      [50100, 1],
      [60100, 1],
      // Choosing 50100 after a 20 s step penalised r2 by 2 * 20100 ms, so r2 was sought
      // to >= 90301 and resumes at 100200.
      [100200, 2],
      [110200, 2],
      [120200, 2],
    ]);
  });

  it('keeps stale-marker NaN bits', () => {
    const stale = new Float64Array(1);
    new BigUint64Array(stale.buffer)[0] = 0x7ff0000000000002n;
    const a: SampleSeries = { timestamps: Float64Array.of(10000, 20000), values: Float64Array.of(1, stale[0]) };
    const b = s(every(10000, 20000, 10000, 5));
    for (const counter of [false, true]) {
      const out = dedupSamples([a, b], { counter });
      expect(new BigUint64Array(out.values.buffer)[1]).toBe(0x7ff0000000000002n);
    }
  });
});

describe('counter handling', () => {
  it('never lets the counter go down when switching to a replica whose counter restarted', () => {
    // a stops at 30 s; b restarted and counts from a lower base.
    const a = s([
      [10000, 100],
      [20000, 110],
      [30000, 120],
    ]);
    const b = s([
      [45000, 50],
      [55000, 60],
    ]);
    expect(pairs(dedupSamples([a, b], { counter: true }))).toEqual([
      [10000, 100],
      [20000, 110],
      [30000, 120],
      [55000, 120],
    ]);
    // Without counter handling the raw value shows up (a false counter reset for rate()).
    expect(pairs(dedupSamples([a, b]))).toEqual([
      [10000, 100],
      [20000, 110],
      [30000, 120],
      [55000, 60],
    ]);
  });

  it('adjusts the other replica already when the first sample is taken from A (upstream start state)', () => {
    // Upstream starts with useA = false, so picking A first counts as a switch and
    // lifts B by A's first value minus B's current value (100 - 90 = 10).
    const a = s([
      [10000, 100],
      [20000, 110],
      [30000, 120],
    ]);
    const b = s([
      [10000, 90],
      [20000, 100],
      [30000, 110],
      [40000, 120],
      [50000, 130],
      [60000, 140],
    ]);
    // After a ends, b is sought from 30001 + 2 * 10000 and yields 60000: 140 + 10.
    expect(pairs(dedupSamples([a, b], { counter: true }))).toEqual([
      [10000, 100],
      [20000, 110],
      [30000, 120],
      [60000, 150],
    ]);
  });

  it('recognises the counter functions', () => {
    expect(['rate', 'increase', 'irate', 'resets'].every(isCounterFunction)).toBe(true);
    expect(isCounterFunction('sum')).toBe(false);
    expect(isCounterFunction(undefined)).toBe(false);
  });
});
