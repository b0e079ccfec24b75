import { compressSnappyBlock, encodeWriteRequest, MetricType } from '@thanos-ts/remote-write';
import { loopbackReceiverConfig, Receiver } from '@thanos-ts/receive';
import { createLogger } from '@thanos-ts/runtime';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Querier } from './querier';
import { callApi, callApiJson, type ApiParams } from './testing/api-client';

const T0 = 1_800_000_000_000;
const quiet = createLogger({ write: () => {} });

function writeBody(series: Array<{ labels: Record<string, string>; samples: Array<[number, number]> }>): Uint8Array {
  return compressSnappyBlock(
    encodeWriteRequest({
      timeseries: series.map((s) => ({
        labels: Object.entries(s.labels)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, value]) => ({ name, value })),
        timestamps: s.samples.map(([t]) => t),
        values: Float64Array.from(s.samples.map(([, v]) => v)),
      })),
    }),
  );
}

/** 61 samples every 15 s from T0: value = f(i). */
function samples(f: (i: number) => number): Array<[number, number]> {
  return Array.from({ length: 61 }, (_, i) => [T0 + i * 15_000, f(i)] as [number, number]);
}

describe('querier HTTP API over a real receiver', () => {
  const dir = tempDir('query-api-');
  let receiver: Receiver;
  let querier: Querier;
  let strict: Querier;
  let base: string;

  const call = (path: string, params: ApiParams = {}, method: 'GET' | 'POST' = 'GET') =>
    callApi(base, path, params, method);
  const json = (path: string, params: ApiParams = {}, method: 'GET' | 'POST' = 'GET') =>
    callApiJson(base, path, params, method);

  beforeAll(async () => {
    receiver = new Receiver(loopbackReceiverConfig(dir.path));
    await receiver.start();
    const res = await fetch(`http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`, {
      method: 'POST',
      body: writeBody([
        { labels: { __name__: 'http_requests_total', job: 'api', instance: 'a' }, samples: samples((i) => i * 10) },
        { labels: { __name__: 'http_requests_total', job: 'api', instance: 'b' }, samples: samples((i) => i * 5) },
        { labels: { __name__: 'temperature', job: 'sensor', room: 'x<y' }, samples: samples((i) => 20 + i / 4) },
      ]),
      headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
    });
    expect(res.status).toBe(200);
    const endpoints = [`127.0.0.1:${receiver.grpcPort}`];
    querier = new Querier({ httpAddress: '127.0.0.1:0', endpoints, replicaLabels: ['replica'], logger: quiet });
    strict = new Querier({
      httpAddress: '127.0.0.1:0',
      endpoints,
      replicaLabels: ['replica'],
      logger: quiet,
      maxSamples: 100,
    });
    await querier.start();
    await strict.start();
    base = `http://127.0.0.1:${querier.httpPort}`;
  });

  afterAll(async () => {
    await querier.stop();
    await strict.stop();
    await receiver.stop();
    dir.cleanup();
  });

  it('answers an instant query with Prometheus JSON, byte for byte', async () => {
    const r = await call('/api/v1/query', {
      query: 'http_requests_total{instance="a"}',
      time: String(T0 / 1000 + 600),
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"http_requests_total","instance":"a","job":"api","tenant_id":"default-tenant"},"value":[1800000600,"400"]}]}}',
    );
  });

  it('answers a range query with a matrix', async () => {
    const r = await json('/api/v1/query_range', {
      query: 'sum by (job) (rate(http_requests_total[1m]))',
      start: new Date(T0 + 300_000).toISOString(),
      end: String(T0 / 1000 + 420),
      step: '60',
    });
    expect(r.status).toBe(200);
    expect(r.body.data.resultType).toBe('matrix');
    expect(r.body.data.result).toEqual([
      {
        metric: { job: 'api' },
        values: [
          [1800000300, '1'],
          [1800000360, '1'],
          [1800000420, '1'],
        ],
      },
    ]);
  });

  it('writes scalars, strings and fractional values as Prometheus does', async () => {
    const scalar = await call('/api/v1/query', { query: '1/3', time: '1800000000.5' });
    expect(scalar.text).toBe(
      '{"status":"success","data":{"resultType":"scalar","result":[1800000000.500,"0.3333333333333333"]}}',
    );
    const str = await call('/api/v1/query', { query: '"a<b"', time: '1800000000' });
    expect(str.text).toBe('{"status":"success","data":{"resultType":"string","result":[1800000000,"a\\u003cb"]}}');
    const inf = await json('/api/v1/query', { query: '-1/0', time: '1800000000' });
    expect(inf.body.data.result[1]).toBe('-Inf');
  });

  it('replays the calls Grafana makes', async () => {
    const build = await json('/api/v1/status/buildinfo');
    expect(build.body).toMatchObject({ status: 'success', data: { version: '2.42.0' } });
    const labels = await json('/api/v1/labels', {
      'match[]': 'http_requests_total',
      start: String(T0 / 1000),
      end: String(T0 / 1000 + 900),
    });
    expect(labels.body).toEqual({ status: 'success', data: ['__name__', 'instance', 'job', 'tenant_id'] });
    const values = await json('/api/v1/label/__name__/values', { start: String(T0 / 1000) });
    expect(values.body.data).toEqual(['http_requests_total', 'temperature']);
    const limited = await json('/api/v1/label/instance/values', { 'match[]': '{job="api"}', limit: '1' });
    expect(limited.body.data).toEqual(['a']);
    const series = await json('/api/v1/series', { 'match[]': ['temperature', 'http_requests_total{instance="b"}'] });
    expect(series.body.data).toEqual([
      { __name__: 'http_requests_total', instance: 'b', job: 'api', tenant_id: 'default-tenant' },
      { __name__: 'temperature', job: 'sensor', room: 'x<y', tenant_id: 'default-tenant' },
    ]);
    expect((await json('/api/v1/metadata')).body).toEqual({ status: 'success', data: {} });
    // Metadata as Prometheus sends it: its own requests, without series.
    const sent = await fetch(`http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`, {
      method: 'POST',
      body: compressSnappyBlock(
        encodeWriteRequest({
          timeseries: [],
          metadata: [
            { type: MetricType.COUNTER, metricFamilyName: 'http_requests_total', help: 'Requests.' },
            { type: MetricType.GAUGE, metricFamilyName: 'temperature', help: 'Heat.', unit: 'celsius' },
          ],
        }),
      ),
      headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
    });
    expect(sent.status).toBe(200);
    expect((await json('/api/v1/metadata')).body).toEqual({
      status: 'success',
      data: {
        http_requests_total: [{ type: 'counter', help: 'Requests.', unit: '' }],
        temperature: [{ type: 'gauge', help: 'Heat.', unit: 'celsius' }],
      },
    });
    expect((await json('/api/v1/metadata', { metric: 'temperature' })).body.data).toEqual({
      temperature: [{ type: 'gauge', help: 'Heat.', unit: 'celsius' }],
    });
    expect(Object.keys((await json('/api/v1/metadata', { limit: '1' })).body.data)).toEqual(['http_requests_total']);
    const post = await json(
      '/api/v1/query_range',
      { query: 'temperature', start: String(T0 / 1000), end: String(T0 / 1000 + 30), step: '15s' },
      'POST',
    );
    expect(post.body.data.result[0].values).toEqual([
      [1800000000, '20'],
      [1800000015, '20.25'],
      [1800000030, '20.5'],
    ]);
    const postInstant = await json('/api/v1/query', { query: 'count(temperature)', time: String(T0 / 1000) }, 'POST');
    expect(postInstant.body.data.result[0].value).toEqual([1800000000, '1']);
    const flags = await json('/api/v1/status/flags');
    expect(flags.body.status).toBe('success');
    const runtime = await json('/api/v1/status/runtimeinfo');
    expect(runtime.body.data.startTime).toMatch(/^\d{4}-/);
  });

  it('shows replicas with dedup=false and lists the receiver under /api/v1/stores', async () => {
    const r = await json('/api/v1/query', { query: 'temperature', time: String(T0 / 1000), dedup: 'false' });
    expect(r.body.data.result[0].metric.replica).toBe('r0');
    const stores = await json('/api/v1/stores');
    expect(stores.body.data.receive).toEqual([
      expect.objectContaining({
        name: `127.0.0.1:${receiver.grpcPort}`,
        health: 'up',
        lastError: null,
        labelSets: [{ replica: 'r0', tenant_id: 'default-tenant' }],
        minTime: T0,
      }),
    ]);
  });

  describe('bad requests', () => {
    const cases: Array<[string, string, ApiParams, RegExp]> = [
      [
        'bad time',
        '/api/v1/query',
        { query: 'up', time: 'yesterday' },
        /^invalid parameter "time": cannot parse "yesterday" to a valid timestamp$/,
      ],
      [
        'missing start',
        '/api/v1/query_range',
        { query: 'up', end: '10', step: '1' },
        /^invalid parameter "start": cannot parse "" to a valid timestamp$/,
      ],
      [
        'start after end',
        '/api/v1/query_range',
        { query: 'up', start: '20', end: '10', step: '1' },
        /^invalid parameter "end": end timestamp must not be before start time$/,
      ],
      [
        'bad step',
        '/api/v1/query_range',
        { query: 'up', start: '0', end: '10', step: 'often' },
        /^invalid parameter "step": cannot parse "often" to a valid duration$/,
      ],
      [
        'zero step',
        '/api/v1/query_range',
        { query: 'up', start: '0', end: '10', step: '0' },
        /zero or negative query resolution step widths are not accepted/,
      ],
      [
        'too many points',
        '/api/v1/query_range',
        { query: 'up', start: '0', end: '11001', step: '1' },
        /^exceeded maximum resolution of 11,000 points per timeseries/,
      ],
      [
        'parse error',
        '/api/v1/query',
        { query: 'sum(rate(up[5m])' },
        /^invalid parameter "query": 1:\d+: parse error: /,
      ],
      [
        'range vector in range query',
        '/api/v1/query_range',
        { query: 'up[5m]', start: '0', end: '10', step: '1' },
        /invalid expression type "range vector" for range query/,
      ],
      ['bad dedup', '/api/v1/query', { query: 'up', dedup: 'maybe' }, /^invalid parameter "dedup"/],
      ['series without match[]', '/api/v1/series', {}, /^no match\[\] parameter provided$/],
      ['bad match[]', '/api/v1/series', { 'match[]': 'sum(up)' }, /^invalid parameter "match\[\]"/],
      ['bad label name', '/api/v1/label/0bad/values', {}, /^invalid label name: "0bad"$/],
      ['bad RFC3339', '/api/v1/labels', { start: '2026-13-01T00:00:00Z' }, /^invalid parameter "start"/],
    ];
    it.each(cases)('%s → 400 bad_data', async (_name, path, params, message) => {
      const r = await json(path, params);
      expect(r.status).toBe(400);
      expect(r.body.status).toBe('error');
      expect(r.body.errorType).toBe('bad_data');
      expect(r.body.error).toMatch(message);
    });

    it('over --query.max-samples → 422 execution', async () => {
      const { status, body } = await callApiJson(`http://127.0.0.1:${strict.httpPort}`, '/api/v1/query', {
        query: 'http_requests_total[15m]',
        time: String(T0 / 1000 + 900),
      });
      expect(status).toBe(422);
      expect(body).toMatchObject({ status: 'error', errorType: 'execution' });
      expect(body.error).toContain('too many samples');
    });
  });

  it('counts requests by handler and code in /metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/thanos_query_http_requests_total\{handler="\/api\/v1\/query",code="400"\} \d+/);
    expect(text).toMatch(
      /thanos_query_store_request_duration_seconds_count\{store="127\.0\.0\.1:\d+",method="Series"\} \d+/,
    );
  });
});
