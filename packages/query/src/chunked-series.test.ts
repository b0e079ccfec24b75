import type { SelectHints, StorageSeries } from '@thanos-ts/promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint } from './endpoints';
import { StoreQueryable } from './store-queryable';
import { startFakeStore, type FakeStore } from './testing/fake-store';

const T0 = 1_700_000_000_000;
const STEP = 15_000;
const N = 500;

function ramp(offset: number) {
  return {
    timestamps: Array.from({ length: N }, (_, i) => T0 + i * STEP),
    values: Float64Array.from({ length: N }, (_, i) => offset + i),
  };
}

const hints = (range: number): SelectHints => ({
  start: T0,
  end: T0 + (N - 1) * STEP,
  step: STEP,
  range,
  func: range > 0 ? 'rate' : '',
  grouping: [],
  by: false,
});

describe('series selected for a range function', () => {
  let store: FakeStore;
  let endpoint: Endpoint;

  beforeAll(async () => {
    store = await startFakeStore({
      series: [
        { labels: { __name__: 'c', i: '1' }, ...ramp(1000) },
        { labels: { __name__: 'c', i: '2' }, ...ramp(2000) },
      ],
    });
    endpoint = new Endpoint(store.address);
  });

  afterAll(async () => {
    endpoint.close();
    await store.stop();
  });

  async function select(range: number): Promise<{ q: StoreQueryable; series: StorageSeries[] }> {
    const q = new StoreQueryable(() => [endpoint], {
      replicaLabels: [],
      dedup: false,
      dedupFunc: 'penalty',
      partialResponse: false,
    });
    const series = await q.select(hints(range), [{ type: '=', name: '__name__', value: 'c' }]);
    return { q, series };
  }

  it('decode one series at a time into reused memory, with the same samples as a full decode', async () => {
    const { q, series } = await select(300_000);
    expect(series).toHaveLength(2);
    const first = series[0].transientSamples!();
    expect(Array.from(first.values.subarray(0, 3))).toEqual([1000, 1001, 1002]);
    const second = series[1].transientSamples!();
    expect(second.values.buffer).toBe(first.values.buffer);
    expect(second.values.byteOffset).toBe(first.values.byteOffset);
    expect(first.values[0]).toBe(2000);
    // the full decode is the series' own and stays valid after later transient decodes
    expect(Array.from(series[0].timestamps)).toEqual(ramp(0).timestamps);
    const kept = series[0].values;
    series[1].transientSamples!();
    expect(Array.from(kept)).toEqual(Array.from(ramp(1000).values));
    expect(q.timing.samples).toBe(4 * N);
    q.release();
  });

  it('decode every series at select time for instant selectors', async () => {
    const { q, series } = await select(0);
    expect(series.map((s) => s.transientSamples)).toEqual([undefined, undefined]);
    expect(Array.from(series[1].values.subarray(0, 2))).toEqual([2000, 2001]);
    expect(q.timing.samples).toBe(2 * N);
    q.release();
  });
});
