import { createLogger } from '@thanos-ts/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Querier, type QuerierConfig } from './querier';
import { callApiJson, type ApiJson, type ApiParams } from './testing/api-client';
import { startFakeStore, type FakeStore } from './testing/fake-store';

const T0 = 1_700_000_000_000;
const STEP = 15_000;

/** `n` samples every 15 s from T0, value = index; samples whose index is in `gap` are left out. */
function samples(n: number, gap: [number, number] = [-1, -1]) {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i >= gap[0] && i < gap[1]) continue;
    ts.push(T0 + i * STEP);
    vs.push(i);
  }
  return { timestamps: ts, values: Float64Array.from(vs) };
}

async function startQuerier(endpoints: string[], overrides: Partial<QuerierConfig> = {}): Promise<Querier> {
  const q = new Querier({
    httpAddress: '127.0.0.1:0',
    endpoints,
    replicaLabels: ['replica'],
    logger: createLogger({ write: () => {} }),
    endpointRefreshMs: 60_000,
    ...overrides,
  });
  await q.start();
  return q;
}

function get(q: Querier, path: string, params: ApiParams) {
  return callApiJson(`http://127.0.0.1:${q.httpPort}`, path, params);
}

describe('querier over fake stores', () => {
  const stores: FakeStore[] = [];
  let querier: Querier;
  let downAddress: string;

  beforeAll(async () => {
    // Two HA replicas of the same job; replica b misses 20 samples (5 minutes).
    stores.push(
      await startFakeStore({
        externalLabels: { replica: 'a', cluster: 'eu' },
        series: [{ labels: { __name__: 'up', job: 'api' }, ...samples(100) }],
      }),
      await startFakeStore({
        externalLabels: { replica: 'b', cluster: 'eu' },
        series: [{ labels: { __name__: 'up', job: 'api' }, ...samples(100, [30, 50]) }],
      }),
      await startFakeStore({
        externalLabels: { cluster: 'us' },
        series: [{ labels: { __name__: 'up', job: 'db' }, ...samples(100) }],
      }),
    );
    // A store that was started and stopped: its port refuses connections.
    const gone = await startFakeStore({ series: [] });
    downAddress = gone.address;
    await gone.stop();
    querier = await startQuerier(stores.map((s) => s.address));
  });

  afterAll(async () => {
    await querier.stop();
    for (const s of stores) await s.stop();
  });

  it('merges series of all stores, deduplicating replicas with the penalty algorithm', async () => {
    const res = await get(querier, '/api/v1/query_range', {
      query: 'up',
      start: String((T0 + 20 * STEP) / 1000),
      end: String((T0 + 60 * STEP) / 1000),
      step: '15s',
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    const result = res.body.data.result as Array<{ metric: Record<string, string>; values: [number, string][] }>;
    expect(result.map((r) => r.metric)).toEqual([
      { __name__: 'up', cluster: 'eu', job: 'api' },
      { __name__: 'up', cluster: 'us', job: 'db' },
    ]);
    // No gap: replica a fills in where b has none. The penalty algorithm may skip the two
    // samples right after the switch (within 2 scrape intervals), which lookback covers.
    expect(result[0].values).toHaveLength(41);
    const values = result[0].values.map((v) => Number(v[1]));
    values.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(20 + i - 2));
    expect(values.slice(12)).toEqual(Array.from({ length: 29 }, (_, i) => 32 + i));
  });

  it('returns each replica separately with dedup=false', async () => {
    const res = await get(querier, '/api/v1/query', {
      query: 'count_over_time(up{job="api"}[25m])',
      time: String((T0 + 99 * STEP) / 1000),
      dedup: 'false',
    });
    const result = res.body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    expect(result.map((r) => [r.metric.replica, r.value[1]])).toEqual([
      ['a', '100'],
      ['b', '80'],
    ]);
  });

  it('explains which replica served which time range when asked', async () => {
    const res = await get(querier, '/api/v1/query', {
      query: 'count_over_time(up{job="api"}[25m])',
      time: String((T0 + 99 * STEP) / 1000),
      explain: 'dedup',
    });
    const count = Number(res.body.data.result[0].value[1]);
    expect(count).toBeGreaterThanOrEqual(98);
    const note: ApiJson[] = res.body.dedup;
    expect(note).toHaveLength(1);
    expect(note[0].series).toEqual({ __name__: 'up', cluster: 'eu', job: 'api' });
    expect(note[0].ranges.length).toBeGreaterThanOrEqual(1);
    expect(note[0].ranges.some((r: { replica: string }) => r.replica.includes('replica="a"'))).toBe(true);
    const total = note[0].ranges.reduce((n: number, r: { samples: number }) => n + r.samples, 0);
    expect(total).toBe(count);
    // Without the parameter the note is absent.
    const plain = await get(querier, '/api/v1/query', { query: 'up', time: String((T0 + 99 * STEP) / 1000) });
    expect(plain.body.dedup).toBeUndefined();
  });

  it('prunes stores by external labels', async () => {
    const res = await get(querier, '/api/v1/series', { 'match[]': 'up{cluster="us"}' });
    expect(res.body.data).toEqual([{ __name__: 'up', cluster: 'us', job: 'db' }]);
  });

  it('serves labels and label values with replica labels removed', async () => {
    const names = await get(querier, '/api/v1/labels', {});
    expect(names.body.data).toEqual(['__name__', 'cluster', 'job']);
    const replicas = await get(querier, '/api/v1/label/replica/values', {});
    expect(replicas.body.data).toEqual([]);
    const raw = await get(querier, '/api/v1/label/replica/values', { dedup: 'false' });
    expect(raw.body.data).toEqual(['a', 'b']);
    const jobs = await get(querier, '/api/v1/label/job/values', { 'match[]': 'up{cluster="eu"}' });
    expect(jobs.body.data).toEqual(['api']);
  });

  it('turns a down store into a warning naming it, or an error without partial response', async () => {
    const q = await startQuerier([stores[2].address, downAddress]);
    try {
      const params = { query: 'up', time: String((T0 + 10 * STEP) / 1000) };
      const partial = await get(q, '/api/v1/query', params);
      expect(partial.status).toBe(200);
      expect(partial.body.data.result).toHaveLength(1);
      expect(partial.body.warnings).toHaveLength(1);
      expect(partial.body.warnings[0]).toContain(downAddress);
      const strict = await get(q, '/api/v1/query', { ...params, partial_response: 'false' });
      expect(strict.status).toBe(422);
      expect(strict.body.errorType).toBe('execution');
      expect(strict.body.error).toContain(downAddress);
      const listing = await get(q, '/api/v1/stores', {});
      const list = listing.body.data.store as Array<{ name: string; health: string; lastError: string | null }>;
      expect(list.find((s) => s.name === downAddress)?.health).toBe('down');
      expect(list.find((s) => s.name === downAddress)?.lastError).toBeTruthy();
      expect(list.find((s) => s.name !== downAddress)).toMatchObject({ health: 'up', labelSets: [{ cluster: 'us' }] });
    } finally {
      await q.stop();
    }
  });

  it('fails with a timeout error naming the store that did not answer', async () => {
    const slow = await startFakeStore({
      series: [{ labels: { __name__: 'up', job: 'slow' }, ...samples(10) }],
      delayMs: 60_000,
    });
    const q = await startQuerier([slow.address], { queryTimeoutMs: 200 });
    try {
      const res = await get(q, '/api/v1/query', { query: 'up', time: String((T0 + 5 * STEP) / 1000) });
      expect(res.status).toBe(503);
      expect(res.body.errorType).toBe('timeout');
      expect(res.body.error).toContain(slow.address);
    } finally {
      await q.stop();
      await slow.stop();
    }
  });

  it('turns a store-level timeout into a warning', async () => {
    const slow = await startFakeStore({
      series: [{ labels: { __name__: 'up', job: 'slow' }, ...samples(10) }],
      delayMs: 60_000,
    });
    const q = await startQuerier([slow.address, stores[2].address], { storeTimeoutMs: 2_000 });
    try {
      const res = await get(q, '/api/v1/query', { query: 'up', time: String((T0 + 5 * STEP) / 1000) });
      expect(res.status).toBe(200);
      expect(res.body.data.result.map((r: { metric: { job: string } }) => r.metric.job)).toEqual(['db']);
      expect(res.body.warnings.join('\n')).toContain(slow.address);
      expect(res.body.warnings.join('\n')).toMatch(/deadline/i);
    } finally {
      await q.stop();
      await slow.stop();
    }
  });
});

describe('querier as a store of another querier', () => {
  it('serves the merged StoreAPI over gRPC, deduplicated by the querier on top', async () => {
    const a = await startFakeStore({
      externalLabels: { replica: 'a' },
      series: [{ labels: { __name__: 'up', job: 'x' }, ...samples(40) }],
    });
    const b = await startFakeStore({
      externalLabels: { replica: 'b' },
      series: [{ labels: { __name__: 'up', job: 'x' }, ...samples(40, [10, 30]) }],
    });
    const lower = await startQuerier([a.address, b.address], { grpcAddress: '127.0.0.1:0' });
    const upper = await startQuerier([`127.0.0.1:${lower.grpcPort}`]);
    try {
      const time = String((T0 + 39 * STEP) / 1000);
      const res = await get(upper, '/api/v1/query', { query: 'count_over_time(up[15m])', time });
      expect(res.body.data.result).toHaveLength(1);
      expect(res.body.data.result[0].metric).toEqual({ job: 'x' });
      expect(Number(res.body.data.result[0].value[1])).toBeGreaterThanOrEqual(38);
      const raw = await get(upper, '/api/v1/query', { query: 'count_over_time(up[15m])', time, dedup: 'false' });
      expect(raw.body.data.result.map((r: ApiJson) => [r.metric.replica, r.value[1]])).toEqual([
        ['a', '40'],
        ['b', '20'],
      ]);
      const stores = await get(upper, '/api/v1/stores', {});
      expect(stores.body.data.query[0].labelSets).toEqual([{ replica: 'a' }, { replica: 'b' }]);
      const values = await get(upper, '/api/v1/label/job/values', {});
      expect(values.body.data).toEqual(['x']);
    } finally {
      await upper.stop();
      await lower.stop();
      await a.stop();
      await b.stop();
    }
  });
});
