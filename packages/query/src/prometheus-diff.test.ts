// Differential test: the same data in a real Prometheus 2.42 (blocks made by promtool) and
// in our receiver (remote write), the same PromQL through both HTTP APIs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loopbackReceiverConfig, Receiver } from '@thanos-ts/receive';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { createLogger } from '@thanos-ts/runtime';
import { promtool, startPrometheus, tempDir, type PrometheusServer } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Querier } from './querier';
import { generateDataSet, toOpenMetrics } from './testing/sample-data';

const quiet = createLogger({ write: () => {} });
const MINUTE = 60_000;
// Recent enough for Prometheus's 15d retention, all within one receiver head block.
const START = Math.floor((Date.now() - 100 * MINUTE) / MINUTE) * MINUTE;
const SAMPLES = 240;
const END = START + (SAMPLES - 1) * 15_000;

const counters = ['http_requests_total', 'http_requests_total{job="api"}', 'http_requests_total{code=~"5.."}'];
const gauges = ['memory_bytes', 'memory_bytes{instance!="i1"}'];
const ranges = ['1m', '5m'];

/** About a hundred queries covering selectors, rate-like functions, aggregations, histograms, binary ops, offsets and subqueries. */
function queries(): string[] {
  const q: string[] = [...counters, ...gauges, 'memory_bytes offset 5m', 'http_requests_total offset 10m'];
  for (const c of counters) {
    for (const r of ranges) {
      for (const f of ['rate', 'increase', 'irate', 'resets']) q.push(`${f}(${c}[${r}])`);
    }
    q.push(`rate(${c}[5m] offset 10m)`);
  }
  for (const g of gauges) {
    for (const f of [
      'avg_over_time',
      'max_over_time',
      'min_over_time',
      'sum_over_time',
      'count_over_time',
      'stddev_over_time',
      'delta',
      'deriv',
      'changes',
    ]) {
      q.push(`${f}(${g}[5m])`);
    }
    q.push(`quantile_over_time(0.9, ${g}[10m])`);
  }
  for (const agg of ['sum', 'avg', 'max', 'min', 'count', 'stddev']) {
    q.push(`${agg} by (job) (rate(http_requests_total[5m]))`);
    q.push(`${agg} without (instance) (memory_bytes)`);
  }
  q.push('sum by (code) (increase(http_requests_total[5m]))', 'count_values("v", count by (job) (memory_bytes))');
  q.push('topk(3, rate(http_requests_total[5m]))', 'bottomk(2, memory_bytes)', 'topk(1, sum by (job) (memory_bytes))');
  q.push(
    'quantile(0.5, memory_bytes)',
    'sort_desc(sum by (instance) (memory_bytes))',
    'sort(max by (job) (memory_bytes))',
  );
  for (const phi of ['0.5', '0.9', '0.99']) {
    q.push(`histogram_quantile(${phi}, sum by (le) (rate(request_duration_seconds_bucket[5m])))`);
    q.push(`histogram_quantile(${phi}, sum by (job, le) (rate(request_duration_seconds_bucket[1m])))`);
  }
  q.push(
    'memory_bytes / 1024',
    'memory_bytes > 120',
    'memory_bytes > bool 120',
    '-memory_bytes + 2 * memory_bytes',
    'rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])',
    'sum by (job, instance) (rate(http_requests_total[5m])) / on (job, instance) group_left memory_bytes',
    'memory_bytes and on (instance) memory_bytes{instance="i0"}',
    'memory_bytes unless memory_bytes{job="web"}',
    'memory_bytes or http_requests_total{code="500"}',
    'scalar(sum(memory_bytes)) * 2',
    'time() - timestamp(memory_bytes)',
    'abs(deriv(memory_bytes[5m]))',
    'round(memory_bytes, 5)',
    'clamp_max(memory_bytes, 110)',
    'label_replace(memory_bytes, "host", "$1", "instance", "i(.*)")',
    'absent(nonexistent_metric)',
    'vector(1) + on() group_left sum(memory_bytes)',
    'max_over_time(rate(http_requests_total[1m])[10m:1m])',
    'avg_over_time(memory_bytes[10m:])',
    'min_over_time(sum by (job) (memory_bytes)[15m:30s])',
    'rate(http_requests_total[5m])[10m:2m]',
    'predict_linear(memory_bytes[10m], 600)',
    'holt_winters(memory_bytes[10m], 0.5, 0.5)',
  );
  return q;
}

interface ApiResult {
  status: string;
  data?: { resultType: string; result: unknown };
  error?: string;
}

function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function close(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  return Math.abs(x - y) <= 1e-5 * Math.max(Math.abs(x), Math.abs(y));
}

/** Differences between two answers to the same query, as readable strings (empty when equal). */
function compare(query: string, ours: ApiResult, theirs: ApiResult): string[] {
  if (ours.status !== theirs.status)
    return [`${query}: status ${ours.status} (${ours.error}) vs ${theirs.status} (${theirs.error})`];
  if (ours.status !== 'success') return [];
  if (ours.data!.resultType !== theirs.data!.resultType)
    return [`${query}: result type ${ours.data!.resultType} vs ${theirs.data!.resultType}`];
  if (ours.data!.resultType === 'scalar') {
    const [a, b] = [ours.data!.result as [number, string], theirs.data!.result as [number, string]];
    return a[0] === b[0] && close(a[1], b[1]) ? [] : [`${query}: scalar ${a} vs ${b}`];
  }
  type Item = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };
  const a = ours.data!.result as Item[];
  const b = theirs.data!.result as Item[];
  const problems: string[] = [];
  if (/^\s*sort/.test(query) && a.map((s) => key(s.metric)).join() !== b.map((s) => key(s.metric)).join()) {
    problems.push(`${query}: sort order differs`);
  }
  const theirsByKey = new Map(b.map((s) => [key(s.metric), s]));
  if (a.length !== b.length) problems.push(`${query}: ${a.length} series vs ${b.length}`);
  for (const s of a) {
    const t = theirsByKey.get(key(s.metric));
    if (!t) {
      problems.push(`${query}: extra series ${key(s.metric)}`);
      continue;
    }
    const pa = s.values ?? [s.value!];
    const pb = t.values ?? [t.value!];
    if (pa.length !== pb.length) {
      problems.push(`${query}: ${key(s.metric)} has ${pa.length} points vs ${pb.length}`);
      continue;
    }
    const bad = pa.findIndex((p, i) => p[0] !== pb[i][0] || !close(p[1], pb[i][1]));
    if (bad >= 0) problems.push(`${query}: ${key(s.metric)} point ${bad}: ${pa[bad]} vs ${pb[bad]}`);
  }
  return problems;
}

describe('query results equal Prometheus 2.42 on the same data', () => {
  const dir = tempDir('query-diff-');
  let prometheus: PrometheusServer;
  let receiver: Receiver;
  let querier: Querier;

  beforeAll(async () => {
    const data = generateDataSet({ startMs: START, samples: SAMPLES, intervalMs: 15_000 });
    const omFile = join(dir.path, 'data.om');
    writeFileSync(omFile, toOpenMetrics(data));
    const made = promtool(['tsdb', 'create-blocks-from', 'openmetrics', omFile, join(dir.path, 'prom', 'data')]);
    expect(made.status, made.stderr).toBe(0);
    prometheus = await startPrometheus({ dir: join(dir.path, 'prom') });

    receiver = new Receiver(loopbackReceiverConfig(join(dir.path, 'receive')));
    await receiver.start();
    const body = compressSnappyBlock(
      encodeWriteRequest({
        timeseries: data.map((s) => ({
          labels: Object.entries(s.labels)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([name, value]) => ({ name, value })),
          timestamps: s.timestamps,
          values: s.values,
        })),
      }),
    );
    const res = await fetch(`http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`, {
      method: 'POST',
      body,
      headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
    });
    expect(res.status).toBe(200);
    // The receiver's external labels are dropped by treating them as replica labels.
    querier = new Querier({
      httpAddress: '127.0.0.1:0',
      endpoints: [`127.0.0.1:${receiver.grpcPort}`],
      replicaLabels: ['replica', 'tenant_id'],
      logger: quiet,
    });
    await querier.start();
  });

  afterAll(async () => {
    await querier?.stop();
    await receiver?.stop();
    await prometheus?.kill();
    dir.cleanup();
  });

  it('gives the same instant and range results for ~100 queries', async () => {
    const ask = async (base: string, path: string, params: Record<string, string>): Promise<ApiResult> =>
      (await fetch(`${base}${path}?${new URLSearchParams(params)}`)).json() as Promise<ApiResult>;
    const ours = `http://127.0.0.1:${querier.httpPort}`;
    const list = queries();
    expect(list.length).toBeGreaterThanOrEqual(100);
    const problems: string[] = [];
    let compared = 0;
    await Promise.all(
      list.map(async (query) => {
        const calls: Array<[string, Record<string, string>]> = [
          ['/api/v1/query', { query, time: String((START + 30 * MINUTE + 7_000) / 1000) }],
          [
            '/api/v1/query_range',
            { query, start: String((START + 10 * MINUTE) / 1000), end: String(END / 1000), step: '60' },
          ],
        ];
        for (const [path, params] of calls) {
          const [a, b] = await Promise.all([ask(ours, path, params), ask(prometheus.url, path, params)]);
          if (a.status === 'success') compared++;
          problems.push(...compare(`${path} ${query}`, a, b));
        }
      }),
    );
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(180);
  });
});
