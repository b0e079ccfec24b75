import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsToRecord, type Labels } from '../labels';
import type { LabelMatcher } from '../parser/ast';
import {
  isStaleAt,
  MemorySeriesStore,
  STALE_NAN_ARRAY,
  type Querier,
  type Queryable,
  type SelectHints,
  type StorageSeries,
} from '../storage';
import { Engine } from './engine';
import {
  EvalError,
  QueryCanceledError,
  QueryError,
  QueryTimeoutError,
  TooManySamplesError,
  type QueryValue,
} from './types';

const L = (rec: Record<string, string>): Labels => labelsFromRecord(rec);

/** A store with `series` holding `values[i]` at `i * step` ms (null = no sample, 'stale' = marker). */
function storeWith(series: [Record<string, string>, (number | null | 'stale')[], number?][]): MemorySeriesStore {
  const store = new MemorySeriesStore();
  for (const [labels, values, step = 60_000] of series) {
    values.forEach((v, i) => {
      if (v === 'stale') store.appendFrom(L(labels), i * step, STALE_NAN_ARRAY, 0);
      else if (v !== null) store.append(L(labels), i * step, v);
    });
  }
  return store;
}

function vector(v: QueryValue): Record<string, number> {
  if (v.type !== 'vector') throw new Error(`expected vector, got ${v.type}`);
  return Object.fromEntries(v.samples.map((s) => [JSON.stringify(labelsToRecord(s.metric)), s.v]));
}

const engine = new Engine();

describe('instant queries', () => {
  const store = storeWith([[{ __name__: 'm', a: '1' }, [1, 2, null, null, null, null, null, null, 9]]]);

  it('looks back up to 5 minutes, inclusive', async () => {
    const at = async (t: number): Promise<Record<string, number>> =>
      vector((await engine.instantQuery(store, 'm', t)).value);
    expect(await at(60_000)).toEqual({ '{"__name__":"m","a":"1"}': 2 });
    expect(await at(360_000)).toEqual({ '{"__name__":"m","a":"1"}': 2 });
    expect(await at(360_001)).toEqual({});
    expect(await at(480_000)).toEqual({ '{"__name__":"m","a":"1"}': 9 });
  });

  it('uses a configurable lookback delta', async () => {
    const short = new Engine({ lookbackDelta: 60_000 });
    expect(vector((await short.instantQuery(store, 'm', 180_000)).value)).toEqual({});
    expect(vector((await engine.instantQuery(store, 'm', 180_000, { lookbackDelta: 60_000 })).value)).toEqual({});
  });

  it('ends a series at a stale marker', async () => {
    const s = storeWith([[{ __name__: 'm' }, [1, 'stale', null, 3]]]);
    expect(vector((await engine.instantQuery(s, 'm', 60_000)).value)).toEqual({});
    expect(vector((await engine.instantQuery(s, 'count_over_time(m[5m])', 180_000)).value)).toEqual({ '{}': 2 });
  });

  it('returns scalars, strings and matrices', async () => {
    expect((await engine.instantQuery(store, '1 + 2 * 3', 0)).value).toEqual({ type: 'scalar', t: 0, v: 7 });
    expect((await engine.instantQuery(store, '"hello"', 5)).value).toEqual({ type: 'string', t: 5, v: 'hello' });
    const m = (await engine.instantQuery(store, 'm[2m]', 120_000)).value;
    expect(m.type === 'matrix' && Array.from(m.series[0].timestamps)).toEqual([0, 60_000]);
  });

  it('computes rate with extrapolation and counter resets', async () => {
    const s = storeWith([[{ __name__: 'c' }, [0, 10, 20, 5, 15]]]);
    // Increase 0->20, reset to 5 (+5... counted as 20 + 15), over samples spanning 4m in a 4m window.
    const v = vector((await engine.instantQuery(s, 'increase(c[4m])', 240_000)).value);
    expect(v['{}']).toBeCloseTo(35, 10);
  });

  it('drops the metric name where Prometheus does', async () => {
    const s = storeWith([[{ __name__: 'm', a: '1' }, [4]]]);
    const names = async (q: string): Promise<string[]> =>
      Object.keys(vector((await engine.instantQuery(s, q, 0)).value));
    expect(await names('m + 1')).toEqual(['{"a":"1"}']);
    expect(await names('m > 1')).toEqual(['{"__name__":"m","a":"1"}']);
    expect(await names('m > bool 1')).toEqual(['{"a":"1"}']);
    expect(await names('abs(m)')).toEqual(['{"a":"1"}']);
    expect(await names('last_over_time(m[1m])')).toEqual(['{"__name__":"m","a":"1"}']);
    expect(await names('sort(m)')).toEqual(['{"__name__":"m","a":"1"}']);
  });

  it('formats count_values labels like Go', async () => {
    const s = storeWith([
      [{ __name__: 'm', a: '1' }, [1e21]],
      [{ __name__: 'm', a: '2' }, [0.5]],
    ]);
    const v = vector((await engine.instantQuery(s, 'count_values("v", m)', 0)).value);
    expect(v).toEqual({ '{"v":"1000000000000000000000"}': 1, '{"v":"0.5"}': 1 });
  });
});

describe('evaluation errors', () => {
  const store = storeWith([
    [{ __name__: 'a', x: '1', y: '1' }, [1]],
    [{ __name__: 'a', x: '1', y: '2' }, [2]],
    [{ __name__: 'b', x: '1' }, [3]],
    [{ __name__: 'c', x: '1' }, [4]],
    [{ __name__: 'd', x: '1', y: '1' }, [5]],
  ]);

  it.each([
    ['abs({__name__=~"b|c"})', 'vector cannot contain metrics with the same labelset'],
    ['-{__name__=~"b|c"}', 'vector cannot contain metrics with the same labelset'],
    [
      'b + on(x) a',
      'found duplicate series for the match group {x="1"} on the right hand-side of the operation: [{__name__="a", x="1", y="2"}, {__name__="a", x="1", y="1"}];many-to-many matching not allowed: matching labels must be unique on one side',
    ],
    ['a + on(x) b', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'],
    [
      '{__name__=~"a|d"} + on(x) group_left b',
      'multiple matches for labels: grouping labels must ensure unique matches',
    ],
    ['holt_winters(b[5m], 2, 0.5)', 'invalid smoothing factor. Expected: 0 < sf < 1, got: 2.000000'],
    ['label_replace(b, "a-b", "", "x", "")', 'invalid destination label name in label_replace(): a-b'],
    ['topk(NaN, b)', 'Scalar value NaN overflows int64'],
  ])('%s', async (q, msg) => {
    const err = await engine.instantQuery(store, q, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvalError);
    expect((err as Error).message).toBe(msg);
  });

  it('enforces the max-samples limit', async () => {
    const small = new Engine({ maxSamples: 2 });
    const err = await small.instantQuery(store, 'a or b or c or d', 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManySamplesError);
    expect((err as Error).message).toBe('query processing would load too many samples into memory in query execution');
    await expect(small.instantQuery(store, 'b', 0)).resolves.toBeTruthy();
  });

  it('applies the sample limit to whole-range aggregations step by step', async () => {
    // 3 series x 3 steps selected (9), then per step the 3 inputs (+1 for topk's k) and the outputs so far.
    const s = storeWith(['1', '2', '3'].map((i) => [{ __name__: 'm', i }, [1, 2, 3]]));
    const limit = (maxSamples: number, q: string) => new Engine({ maxSamples }).rangeQuery(s, q, 0, 120_000, 60_000);
    await expect(limit(15, 'sum(m)')).resolves.toBeTruthy();
    await expect(limit(14, 'sum(m)')).rejects.toBeInstanceOf(TooManySamplesError);
    await expect(limit(19, 'topk(1, m)')).resolves.toBeTruthy();
    await expect(limit(18, 'topk(1, m)')).rejects.toBeInstanceOf(TooManySamplesError);
  });

  it('orders aggregation groups by first appearance, not by label', async () => {
    const s = storeWith([
      [{ __name__: 'm', a: '1', g: 'z' }, [1]],
      [{ __name__: 'm', a: '2', g: 'y' }, [2]],
      [{ __name__: 'm', a: '3', g: 'z' }, [3]],
    ]);
    const r = (await engine.instantQuery(s, 'sum by (g) (m)', 0)).value;
    expect(r.type === 'vector' && r.samples.map((x) => [labelsToRecord(x.metric).g, x.v])).toEqual([
      ['z', 4],
      ['y', 2],
    ]);
  });

  it('leaves stale markers out of range windows whichever step first meets them', async () => {
    const withMarker = storeWith([[{ __name__: 'c' }, [0, 10, 20, 'stale', 5, 15, 25, 'stale', 40]]]);
    const without = storeWith([[{ __name__: 'c' }, [0, 10, 20, null, 5, 15, 25, null, 40]]]);
    for (const q of ['increase(c[3m])', 'resets(c[5m])', 'count_over_time(c[2m])']) {
      const a = (await engine.rangeQuery(withMarker, q, 0, 480_000, 60_000)).value;
      const b = (await engine.rangeQuery(without, q, 0, 480_000, 60_000)).value;
      expect(a).toEqual(b);
    }
    const resets = (await engine.rangeQuery(withMarker, 'resets(c[5m])', 240_000, 240_000, 60_000)).value;
    expect(resets.type === 'matrix' && Array.from(resets.series[0].values)).toEqual([1]);
  });

  it('counts no counter reset across the start of a rate window', async () => {
    // The drop 20 -> 5 happens before the window [30s, 180s] that holds 5, 15, 25.
    const dropBefore = storeWith([[{ __name__: 'c' }, [20, 5, 15, 25]]]);
    const noDrop = storeWith([[{ __name__: 'c' }, [null, 5, 15, 25]]]);
    const q = 'increase(c[150s])';
    expect(vector((await engine.instantQuery(dropBefore, q, 180_000)).value)).toEqual(
      vector((await engine.instantQuery(noDrop, q, 180_000)).value),
    );
  });

  it('stops on an aborted signal or a passed deadline', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(engine.instantQuery(store, 'a', 0, { signal: ac.signal })).rejects.toBeInstanceOf(QueryCanceledError);
    const late = new Engine({ timeout: -1 });
    await expect(late.rangeQuery(store, 'a', 0, 3_600_000, 1000)).rejects.toBeInstanceOf(QueryTimeoutError);
  });

  it('rejects range queries of non-instant types and bad steps', async () => {
    await expect(engine.rangeQuery(store, 'a[5m]', 0, 60_000, 1000)).rejects.toThrow(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
    await expect(engine.rangeQuery(store, 'a', 0, 60_000, 0)).rejects.toBeInstanceOf(QueryError);
  });
});

describe('range queries', () => {
  const store = storeWith([
    [{ __name__: 'm', a: '2' }, [0, 1, 2, 3, 4, 5, 6]],
    [{ __name__: 'm', a: '1' }, [10, null, null, null, null, null, null, 17]],
  ]);

  it('evaluates every step, sorts series by labels and omits missing points', async () => {
    const r = (await engine.rangeQuery(store, 'm', 0, 420_000, 120_000)).value;
    if (r.type !== 'matrix') throw new Error('expected matrix');
    expect(r.series.map((s) => labelsToRecord(s.metric).a)).toEqual(['1', '2']);
    expect(Array.from(r.series[0].timestamps)).toEqual([0, 120_000, 240_000]);
    expect(Array.from(r.series[0].values)).toEqual([10, 10, 10]);
    expect(Array.from(r.series[1].values)).toEqual([0, 2, 4, 6]);
  });

  it('returns scalar results as one unlabelled series', async () => {
    const r = (await engine.rangeQuery(store, 'time() * 2', 0, 2000, 1000)).value;
    expect(r.type === 'matrix' && r.series.map((s) => [s.metric, Array.from(s.values)])).toEqual([[[], [0, 2, 4]]]);
  });

  it('pins @ start()/end() selectors to the query range', async () => {
    const r = (await engine.rangeQuery(store, 'm{a="2"} @ end() - m{a="2"}', 0, 360_000, 120_000)).value;
    expect(r.type === 'matrix' && Array.from(r.series[0].values)).toEqual([6, 4, 2, 0]);
    const s = (await engine.rangeQuery(store, 'm{a="2"} @ start()', 60_000, 360_000, 60_000)).value;
    expect(s.type === 'matrix' && Array.from(s.series[0].values)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('evaluates subqueries on step-aligned timestamps', async () => {
    const r = (await engine.rangeQuery(store, 'sum_over_time(m{a="2"}[3m:2m])', 180_000, 360_000, 60_000)).value;
    // At t the inner steps are the multiples of 2m in [t-3m, t].
    expect(r.type === 'matrix' && Array.from(r.series[0].values)).toEqual([0 + 2, 2 + 4, 2 + 4, 4 + 6]);
  });
});

describe('storage interface', () => {
  it('passes select hints that describe the data needed', async () => {
    const seen: { hints: SelectHints; matchers: LabelMatcher[] }[] = [];
    let range: [number, number] = [0, 0];
    const queryable: Queryable = {
      async querier(mint, maxt): Promise<Querier> {
        range = [mint, maxt];
        return {
          async select(_sort: boolean, hints: SelectHints, matchers: LabelMatcher[]): Promise<StorageSeries[]> {
            seen.push({ hints, matchers });
            return [];
          },
          labelNames: async () => [],
          labelValues: async () => [],
          close: async () => {},
        };
      },
    };
    await engine.rangeQuery(
      queryable,
      'sum by (job) (rate(x[5m] offset 1m)) + avg without (a) (y)',
      600_000,
      900_000,
      60_000,
    );
    expect(range).toEqual([600_000 - 360_000, 900_000]);
    expect(seen.map((s) => s.hints)).toEqual([
      { start: 240_000, end: 840_000, step: 60_000, range: 300_000, func: 'rate', grouping: [], by: false },
      { start: 300_000, end: 900_000, step: 60_000, range: 0, func: 'avg', grouping: ['a'], by: false },
    ]);
    expect(seen[0].matchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual(['__name__=x']);
  });

  it('breaks topk/bottomk ties in label order whatever order the store returns series in', async () => {
    // Inserted out of label order; Prometheus's TSDB would return i1, i10, i2, i3.
    const store = storeWith(['i3', 'i10', 'i2', 'i1'].map((instance) => [{ __name__: 'up', instance }, [1, 1]]));
    const instances = (v: QueryValue) =>
      v.type === 'vector' ? v.samples.map((s) => labelsToRecord(s.metric).instance) : [];
    expect(instances((await engine.instantQuery(store, 'topk(2, up)', 60_000)).value)).toEqual(['i1', 'i10']);
    expect(instances((await engine.instantQuery(store, 'bottomk(1, up)', 60_000)).value)).toEqual(['i1']);
    const range = (await engine.rangeQuery(store, 'topk(2, up)', 0, 60_000, 60_000)).value;
    expect(range.type === 'matrix' && range.series.map((s) => labelsToRecord(s.metric).instance)).toEqual([
      'i1',
      'i10',
    ]);
  });

  it('keeps stale-marker bits and rejects out-of-order appends in MemorySeriesStore', async () => {
    const store = new MemorySeriesStore();
    store.append(L({ __name__: 'm', job: 'a' }), 0, 1);
    store.appendFrom(L({ __name__: 'm', job: 'a' }), 1000, STALE_NAN_ARRAY, 0);
    store.append(L({ __name__: 'n', job: 'b' }), 0, 1);
    expect(() => store.append(L({ __name__: 'm', job: 'a' }), 500, 1)).toThrow('out of order');
    const q = await store.querier(0, 10_000);
    const hints: SelectHints = { start: 500, end: 2000, step: 0, range: 0, func: '', grouping: [], by: false };
    const [s] = await q.select(true, hints, [{ type: '=', name: '__name__', value: 'm' }]);
    expect(Array.from(s.timestamps)).toEqual([1000]);
    expect(isStaleAt(s.values, 0)).toBe(true);
    expect(await q.labelNames()).toEqual(['__name__', 'job']);
    expect(await q.labelValues('job', [{ type: '=', name: '__name__', value: 'n' }])).toEqual(['b']);
  });
});

describe('huge ranges', () => {
  it('evaluates century-long ranges and offsets', async () => {
    const store = storeWith([[{ __name__: 'x' }, [1, 2, 3]]]);
    const century = 100 * 365 * 86_400_000;
    expect(vector((await engine.instantQuery(store, 'count_over_time(x[100y])', 120_000)).value)).toEqual({ '{}': 3 });
    expect(vector((await engine.instantQuery(store, 'x offset 100y', century + 60_000)).value)).toEqual({
      '{"__name__":"x"}': 2,
    });
    const r = (await engine.rangeQuery(store, 'sum_over_time(x[100y:1y])', 0, 120_000, 60_000)).value;
    expect(r.type === 'matrix' && Array.from(r.series[0].values)).toEqual([1, 1, 1]);
  });
});

describe('deep expressions', () => {
  it('evaluates expressions nested up to the parser limit without overflowing the stack', async () => {
    const store = storeWith([[{ __name__: 'x' }, [2]]]);
    const depth = 490;
    const calls = 'abs('.repeat(depth) + 'x' + ')'.repeat(depth);
    expect(vector((await engine.instantQuery(store, calls, 0)).value)).toEqual({ '{}': 2 });
    const chain = Array(depth).fill('x').join(' + ');
    const r = (await engine.rangeQuery(store, chain, 0, 60_000, 30_000)).value;
    expect(r.type === 'matrix' && Array.from(r.series[0].values)).toEqual([2 * depth, 2 * depth, 2 * depth]);
    expect(vector((await engine.instantQuery(store, chain, 0)).value)).toEqual({ '{}': 2 * depth });
  });
});
