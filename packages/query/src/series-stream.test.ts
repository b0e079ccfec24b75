import { createLogger } from '@thanos-ts/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Querier } from './querier';
import { callApiJson, type ApiJson } from './testing/api-client';
import { startFakeStore, type FakeSeries, type FakeStore } from './testing/fake-store';

const T0 = 1_700_000_000_000;
const STEP = 15_000;
const SAMPLES = 80;
const SERIES = 150;

/** `SERIES` series whose label `z` sorts after the replica label; samples in `gap` are missing. */
function seriesSet(gap: [number, number]): FakeSeries[] {
  return Array.from({ length: SERIES }, (_, s) => {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      if (i >= gap[0] && i < gap[1]) continue;
      ts.push(T0 + i * STEP);
      vs.push(i * (s + 1));
    }
    return {
      labels: { __name__: 'm', a: `a${s % 7}`, z: String(SERIES - s).padStart(3, '0') },
      timestamps: ts,
      values: Float64Array.from(vs),
    };
  });
}

async function startQuerier(endpoints: string[], grpcAddress?: string): Promise<Querier> {
  const q = new Querier({
    httpAddress: '127.0.0.1:0',
    grpcAddress,
    endpoints,
    replicaLabels: ['replica'],
    logger: createLogger({ write: () => {} }),
    endpointRefreshMs: 60_000,
  });
  await q.start();
  return q;
}

const range = {
  query: 'm',
  start: String((T0 + 5 * STEP) / 1000),
  end: String((T0 + 75 * STEP) / 1000),
  step: '30s',
};

describe('Series streaming from stores into the merge', () => {
  const stores: FakeStore[] = [];
  const queriers: Querier[] = [];

  beforeAll(async () => {
    // Two HA replicas with different gaps, once as stores that remove replica labels
    // themselves (streamed) and once as stores that do not (buffered and re-sorted).
    for (const noReplicaLabelRemoval of [false, true]) {
      stores.push(
        await startFakeStore({ externalLabels: { replica: 'a' }, series: seriesSet([10, 30]), noReplicaLabelRemoval }),
        await startFakeStore({ externalLabels: { replica: 'b' }, series: seriesSet([50, 70]), noReplicaLabelRemoval }),
      );
    }
    queriers.push(
      await startQuerier([stores[0].address, stores[1].address]),
      await startQuerier([stores[2].address, stores[3].address]),
    );
  });

  afterAll(async () => {
    for (const q of queriers) await q.stop();
    for (const s of stores) await s.stop();
  });

  it('gives the same deduplicated series whether stores stream or are buffered', async () => {
    const [streamed, buffered] = await Promise.all(
      queriers.map((q) => callApiJson(`http://127.0.0.1:${q.httpPort}`, '/api/v1/query_range', range)),
    );
    expect(streamed.body.status).toBe('success');
    const result = streamed.body.data.result as ApiJson[];
    expect(result).toHaveLength(SERIES);
    // one series per label set without the replica label, each step filled by a replica
    expect(new Set(result.map((r) => JSON.stringify(r.metric))).size).toBe(SERIES);
    for (const r of result) {
      expect(r.metric.replica).toBeUndefined();
      expect(r.values).toHaveLength(36);
    }
    expect(buffered.body).toEqual(streamed.body);
  });

  it('serves the same answer through a querier acting as a store over both kinds of stores', async () => {
    // replica a from a store that removes replica labels, replica b from one that does not
    const lower = await startQuerier([stores[0].address, stores[3].address], '127.0.0.1:0');
    const upper = await startQuerier([`127.0.0.1:${lower.grpcPort}`]);
    try {
      const [direct, proxied] = await Promise.all(
        [queriers[0], upper].map((q) => callApiJson(`http://127.0.0.1:${q.httpPort}`, '/api/v1/query_range', range)),
      );
      expect(proxied.body.data.result).toHaveLength(SERIES);
      expect(proxied.body).toEqual(direct.body);
    } finally {
      await upper.stop();
      await lower.stop();
    }
  });

  it('asks stores to remove replica labels and to batch series', () => {
    for (const s of stores) {
      expect(s.requests.length).toBeGreaterThan(0);
      expect(s.requests[0].withoutReplicaLabels).toEqual(['replica']);
      expect(s.requests[0].responseBatchSize).toBeGreaterThan(1);
    }
  });
});

describe('a store failing in the middle of its Series stream', () => {
  let failing: FakeStore;
  let healthy: FakeStore;
  let querier: Querier;

  beforeAll(async () => {
    failing = await startFakeStore({ externalLabels: { site: 'x' }, series: seriesSet([0, 0]), failAfterSeries: 100 });
    healthy = await startFakeStore({
      externalLabels: { site: 'y' },
      series: [{ labels: { __name__: 'm', a: 'ok' }, timestamps: [T0], values: Float64Array.from([1]) }],
    });
    querier = await startQuerier([failing.address, healthy.address]);
  });

  afterAll(async () => {
    await querier.stop();
    await failing.stop();
    await healthy.stop();
  });

  it('becomes a warning naming the store, with the other stores answered', async () => {
    const res = await callApiJson(`http://127.0.0.1:${querier.httpPort}`, '/api/v1/query', {
      query: 'm',
      time: String((T0 + 60_000) / 1000),
    });
    expect(res.status).toBe(200);
    const sites = (res.body.data.result as ApiJson[]).map((r) => r.metric.site);
    expect(sites).toContain('y');
    // what arrived before the failure is kept, as Thanos does
    expect(sites.filter((s) => s === 'x').length).toBeGreaterThan(0);
    expect(sites.filter((s) => s === 'x').length).toBeLessThan(SERIES);
    expect(res.body.warnings).toHaveLength(1);
    expect(res.body.warnings[0]).toContain(failing.address);
    expect(res.body.warnings[0]).toContain('disk went away');
  });

  it('fails the query, naming the store, when partial responses are off', async () => {
    const res = await callApiJson(`http://127.0.0.1:${querier.httpPort}`, '/api/v1/query', {
      query: 'm',
      time: String((T0 + 60_000) / 1000),
      partial_response: 'false',
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain(failing.address);
  });
});
