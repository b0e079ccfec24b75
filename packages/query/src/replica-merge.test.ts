import { describe, expect, it } from 'vitest';
import { decodeChunks } from './chunk-decode';
import { mergeReplicas, type ReplicaSamples } from './replica-merge';
import { encodeXorChunks } from './testing/fake-store';

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer);

function replica(name: string, ts: number[], vs: number[]): ReplicaSamples {
  return { replica: name, timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
}

function bits(values: Float64Array): bigint[] {
  return [...new BigUint64Array(values.buffer, values.byteOffset, values.length)];
}

describe('replica merging', () => {
  it('chain-merges the union of samples, keeping the first replica at equal timestamps', () => {
    const m = mergeReplicas([replica('a', [1, 3, 5], [10, 30, 50]), replica('b', [2, 3, 6], [20, 31, 60])], {
      func: 'chain',
      counter: false,
      explain: true,
    });
    expect([...m.timestamps]).toEqual([1, 2, 3, 5, 6]);
    expect([...m.values]).toEqual([10, 20, 30, 50, 60]);
    expect(m.ranges?.map((r) => [r.replica, r.from, r.to, r.samples])).toEqual([
      ['a', 1, 1, 1],
      ['b', 2, 2, 1],
      ['a', 3, 5, 2],
      ['b', 6, 6, 1],
    ]);
  });

  it('switches replicas on a gap and keeps counters monotonic in counter mode', () => {
    const ts = Array.from({ length: 10 }, (_, i) => i * 15_000);
    const a = replica('a', ts.slice(0, 4), [100, 101, 102, 103]);
    // Replica b's counter restarted earlier, so it runs about 100 lower.
    const b = replica('b', ts, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const plain = mergeReplicas([a, b], { func: 'penalty', counter: false, explain: true });
    expect(plain.timestamps[plain.timestamps.length - 1]).toBe(ts[9]);
    expect(plain.ranges?.map((r) => r.replica)).toEqual(['a', 'b']);
    const decreases = (v: Float64Array) => v.some((x, i) => i > 0 && x < v[i - 1]);
    expect(decreases(plain.values)).toBe(true);
    const counter = mergeReplicas([a, b], { func: 'penalty', counter: true, explain: false });
    expect([...counter.timestamps]).toEqual([...plain.timestamps]);
    expect(decreases(counter.values)).toBe(false);
  });

  it('keeps the stale-marker NaN payload through decoding and merging', () => {
    const values = new Float64Array([1, 2, 0, 4]);
    values.set(STALE, 2);
    const [chunk] = encodeXorChunks([1000, 2000, 3000, 4000], values);
    const decoded = decodeChunks([chunk], 0, 10_000);
    expect(bits(decoded.values)[2]).toBe(0x7ff0000000000002n);
    const other = replica('b', [5000], [5]);
    for (const func of ['penalty', 'chain'] as const) {
      const m = mergeReplicas([{ replica: 'a', ...decoded }, other], { func, counter: false, explain: false });
      expect(bits(m.values)[2]).toBe(0x7ff0000000000002n);
    }
  });

  it('trims decoded samples to the requested window', () => {
    const chunks = encodeXorChunks([1000, 2000, 3000, 4000, 5000], new Float64Array([1, 2, 3, 4, 5]), 2);
    const d = decodeChunks(chunks, 2000, 4000);
    expect([...d.timestamps]).toEqual([2000, 3000, 4000]);
    expect([...d.values]).toEqual([2, 3, 4]);
  });
});
