import { createLogger } from '@thanos-ts/runtime';
import { ChunkEncoding, decodeAggrChunk, encodeAggrChunk, type AggrChunk, type Chunk } from '@thanos-ts/storepb';
import { XorChunkEncoder } from '@thanos-ts/tsdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChunks } from './chunk-decode';
import { Querier } from './querier';
import { callApiJson, type ApiParams } from './testing/api-client';
import { startFakeStore, type FakeStore } from './testing/fake-store';

const RES = 300_000;
/** Aligned to the 5m windows. */
const T0 = 1_699_999_800_000;
const SCRAPE = 15_000;
const PER_WINDOW = RES / SCRAPE;
const WINDOWS = 24;
const N = WINDOWS * PER_WINDOW;
// The counter resets at the first sample of window 12 (a chunk boundary) and then climbs past
// its old value within the window, so only the counter aggregate can see the reset.
const RESET_AT = 12 * PER_WINDOW;

const rawT = Array.from({ length: N }, (_, i) => T0 + i * SCRAPE);
const gauge = Float64Array.from({ length: N }, (_, i) => ((i * 7) % 13) + i / 10);
const counter = Float64Array.from({ length: N }, (_, i) => (i < RESET_AT ? i * 2 : (i - RESET_AT) * 100));

/** Timestamp of window k's aggregates: its last raw sample. */
const windowT = (k: number) => T0 + k * RES + (PER_WINDOW - 1) * SCRAPE;
const windowIdx = (k: number) => Array.from({ length: PER_WINDOW }, (_, j) => k * PER_WINDOW + j);

/** The counter with resets added back, at every raw sample (computed from the raw data only). */
const counterTotal = (() => {
  const out = new Float64Array(N);
  out[0] = counter[0];
  for (let i = 1; i < N; i++) {
    const d = counter[i] - counter[i - 1];
    out[i] = out[i - 1] + (d >= 0 ? d : counter[i]);
  }
  return out;
})();

function xor(ts: number[], vs: number[]): Chunk {
  const enc = new XorChunkEncoder();
  for (let i = 0; i < ts.length; i++) enc.append(ts[i], vs[i]);
  return { type: ChunkEncoding.XOR, data: enc.bytes().slice() };
}

/**
 * Downsamples raw windows [from, to) into one AggrChunk the way the compactor does: per
 * window count/sum/min/max at the window's last sample, and the counter sub-chunk with
 * the batch's first raw sample before and its last raw value repeated after the totals.
 * The chunk goes through the compactor's AggrChunk codec, as a store gateway reads it.
 */
function aggrChunk(values: Float64Array, from: number, to: number): AggrChunk {
  const ts: number[] = [];
  const agg: number[][] = [[], [], [], [], []];
  const first = from * PER_WINDOW;
  let total = values[first];
  for (let k = from; k < to; k++) {
    const vs = windowIdx(k).map((i) => values[i]);
    for (const i of windowIdx(k)) {
      if (i > first) total += values[i] >= values[i - 1] ? values[i] - values[i - 1] : values[i];
    }
    ts.push(windowT(k));
    agg[0].push(vs.length);
    agg[1].push(vs.reduce((a, b) => a + b, 0));
    agg[2].push(Math.min(...vs));
    agg[3].push(Math.max(...vs));
    agg[4].push(total);
  }
  const lastRaw = values[to * PER_WINDOW - 1];
  const counterChunk = xor([rawT[first], ...ts, ts[ts.length - 1]], [values[first], ...agg[4], lastRaw]);
  const parts = [0, 1, 2, 3].map((a) => xor(ts, agg[a])).concat(counterChunk);
  const stored = encodeAggrChunk(parts.map((p) => ({ encoding: 1, data: p.data })));
  const [count, sum, min, max, counterPart] = decodeAggrChunk(stored.data).map((p) => ({
    type: ChunkEncoding.XOR,
    data: p!.data,
  }));
  return { minTime: rawT[first], maxTime: windowT(to - 1), count, sum, min, max, counter: counterPart };
}

const sumOf = (vs: Float64Array, idx: number[]) => idx.reduce((a, i) => a + vs[i], 0);
const windowsIdx = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, j) => windowIdx(from + j)).flat();

describe('decodeChunks over downsampled chunks', () => {
  const chunks = [aggrChunk(counter, 0, 12), aggrChunk(counter, 12, WINDOWS)];

  it('applies counter resets across chunks, giving the running total of the raw counter', () => {
    const d = decodeChunks(chunks, T0, windowT(WINDOWS - 1), 'counter');
    // The first raw sample, then one total per window.
    expect(d.timestamps.length).toBe(1 + WINDOWS + 1);
    expect(d.timestamps[0]).toBe(T0);
    expect(d.values[0]).toBe(counter[0]);
    for (let k = 0; k < WINDOWS; k++) {
      const at = d.timestamps.indexOf(windowT(k));
      expect(at, `window ${k}`).toBeGreaterThan(0);
      expect(d.values[at], `window ${k}`).toBeCloseTo(counterTotal[windowIdx(k)[PER_WINDOW - 1]], 9);
    }
  });

  it('returns per-window averages by default and bounds samples to the window', () => {
    const g = [aggrChunk(gauge, 0, 12)];
    const d = decodeChunks(g, windowT(2), windowT(4));
    expect(Array.from(d.timestamps)).toEqual([windowT(2), windowT(3), windowT(4)]);
    for (let j = 0; j < 3; j++) expect(d.values[j]).toBeCloseTo(sumOf(gauge, windowIdx(2 + j)) / PER_WINDOW, 9);
  });

  it('names the missing aggregate when a store did not send it', () => {
    const { min: _min, ...noMin } = aggrChunk(gauge, 0, 2);
    expect(() => decodeChunks([noMin], T0, windowT(1), 'min')).toThrow(/no min aggregate/);
  });
});

describe('querier over downsampled stores', () => {
  const stores: FakeStore[] = [];
  let querier: Querier;
  let autoQuerier: Querier;

  beforeAll(async () => {
    const series = (name: string, values: Float64Array, chunks: AggrChunk[]) => ({
      labels: { __name__: name },
      timestamps: rawT,
      values,
      chunks,
    });
    // Replica a only has the second half, in one chunk; replica b has everything in two
    // chunks, so the querier must split overlapping chunks and penalty-merge them.
    stores.push(
      await startFakeStore({
        externalLabels: { replica: 'a' },
        series: [
          series('g', gauge, [aggrChunk(gauge, 12, WINDOWS)]),
          series('c', counter, [aggrChunk(counter, 12, WINDOWS)]),
        ],
      }),
      await startFakeStore({
        externalLabels: { replica: 'b' },
        series: [
          series('g', gauge, [aggrChunk(gauge, 0, 8), aggrChunk(gauge, 8, WINDOWS)]),
          series('c', counter, [aggrChunk(counter, 0, 8), aggrChunk(counter, 8, WINDOWS)]),
        ],
      }),
    );
    const base = {
      httpAddress: '127.0.0.1:0',
      endpoints: stores.map((s) => s.address),
      replicaLabels: ['replica'],
      logger: createLogger({ write: () => {} }),
      endpointRefreshMs: 60_000,
    };
    querier = new Querier(base);
    autoQuerier = new Querier({ ...base, autoDownsampling: true });
    await querier.start();
    await autoQuerier.start();
  });

  afterAll(async () => {
    await querier.stop();
    await autoQuerier.stop();
    for (const s of stores) await s.stop();
  });

  const instant = async (query: string, t: number, extra: ApiParams = {}, q = querier) => {
    const res = await callApiJson(`http://127.0.0.1:${q.httpPort}`, '/api/v1/query', {
      query,
      time: String(t / 1000),
      max_source_resolution: '5m',
      ...extra,
    });
    return res;
  };
  const value = async (query: string, t: number) => {
    const res = await instant(query, t);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.result).toHaveLength(1);
    return Number(res.body.data.result[0].value[1]);
  };

  it('sum_over_time adds the per-window sums', async () => {
    for (const k of [6, 11, 12, 20]) {
      expect(await value('sum_over_time(g[30m])', windowT(k))).toBeCloseTo(sumOf(gauge, windowsIdx(k - 6, k)), 6);
    }
  });

  it('max_over_time takes the per-window maxima', async () => {
    for (const k of [6, 13, 23]) {
      const expected = Math.max(...windowsIdx(k - 6, k).map((i) => gauge[i]));
      expect(await value('max_over_time(g[30m])', windowT(k))).toBeCloseTo(expected, 9);
    }
  });

  it('rate reads the counter aggregate with resets applied', async () => {
    // Samples sit exactly at both ends of the range, so rate does not extrapolate.
    for (const k of [8, 13, 15, 23]) {
      const last = counterTotal[windowIdx(k)[PER_WINDOW - 1]];
      const first = counterTotal[windowIdx(k - 6)[PER_WINDOW - 1]];
      expect(await value('rate(c[30m])', windowT(k))).toBeCloseTo((last - first) / 1800, 9);
    }
  });

  it('a plain selector reads the window average (sum/count)', async () => {
    for (const k of [0, 12, 23]) {
      expect(await value('g', windowT(k))).toBeCloseTo(sumOf(gauge, windowIdx(k)) / PER_WINDOW, 9);
    }
  });

  it('passes max_source_resolution to the stores, capped to range/2 for rate', async () => {
    const cases: Array<[string, string, number]> = [
      ['5m', 'g', RES],
      ['1h', 'g', 3_600_000],
      ['raw', 'g', 0],
      ['0s', 'g', 0],
      ['900', 'g', 900_000],
      ['1h', 'rate(c[30m])', 900_000],
    ];
    for (const [param, query, want] of cases) {
      const seen = stores[0].requests.length;
      const res = await instant(query, windowT(20), { max_source_resolution: param });
      expect(res.status).toBe(200);
      const req = stores[0].requests[seen];
      expect(req.maxResolutionWindow, `${param} ${query}`).toBe(want);
    }
    expect(stores[0].requests.at(-1)!.aggregates).toEqual([5]);
  });

  it('picks step/5 for range queries only with auto downsampling or max_source_resolution=auto', async () => {
    const range = (q: Querier, extra: ApiParams = {}) =>
      callApiJson(`http://127.0.0.1:${q.httpPort}`, '/api/v1/query_range', {
        query: 'g',
        start: String(windowT(12) / 1000),
        end: String(windowT(20) / 1000),
        step: '25m',
        ...extra,
      });
    const cases: Array<[Querier, ApiParams, number]> = [
      [autoQuerier, {}, RES],
      [querier, {}, 0],
      [querier, { max_source_resolution: 'auto' }, RES],
      [autoQuerier, { max_source_resolution: '0s' }, 0],
    ];
    for (const [q, extra, want] of cases) {
      const seen = stores[1].requests.length;
      const res = await range(q, extra);
      expect(res.status).toBe(200);
      expect(stores[1].requests[seen].maxResolutionWindow, JSON.stringify(extra)).toBe(want);
    }
  });

  it('refuses a malformed or negative max_source_resolution with bad_data', async () => {
    for (const bad of ['5x', 'fast', '-300']) {
      const res = await instant('g', windowT(20), { max_source_resolution: bad });
      expect(res.status, bad).toBe(400);
      expect(res.body.errorType).toBe('bad_data');
      expect(res.body.error).toContain('max_source_resolution');
    }
  });
});
