import { createBucket, FilesystemBucket, parseObjstoreConfig, type Bucket } from '@thanos-ts/objstore';
import { LabelMatcherType, type LabelMatcher } from '@thanos-ts/storepb';
import { S3rverProcess, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dumpLines,
  expectedDump,
  fetchSeries,
  metricValue,
  startGateway,
  uploadBlocks,
  type RunningGateway,
} from './testing/harness';

const ALL: LabelMatcher[] = [{ type: LabelMatcherType.RE, name: '__name__', value: '.+' }];
const FULL = { minTime: Number.MIN_SAFE_INTEGER, maxTime: Number.MAX_SAFE_INTEGER };
const EXT = { cluster: 'eu-1', replica: 'a' };

const s3Dir = tempDir('store-s3rver-');
const s3 = new S3rverProcess(s3Dir.path, ['blocks']);

const backends: Array<[string, () => Promise<Bucket>]> = [
  ['filesystem', async () => new FilesystemBucket(tempDir('store-fs-bucket-').path)],
  [
    's3 (s3rver)',
    async () => {
      if (s3.port === 0) await s3.start();
      const yaml = `type: S3\nconfig:\n  bucket: blocks\n  endpoint: 127.0.0.1:${s3.port}\n  access_key: S3RVER\n  secret_key: S3RVER\n  insecure: true\n`;
      return createBucket(parseObjstoreConfig(yaml), { retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    },
  ],
];

afterAll(async () => {
  await s3.stop();
  s3Dir.cleanup();
});

describe.each(backends)('store gateway over a %s bucket', (_name, makeBucket) => {
  let gw: RunningGateway;

  beforeAll(async () => {
    const bucket = await makeBucket();
    await uploadBlocks(bucket, EXT);
    gw = await startGateway(bucket);
  });
  afterAll(() => gw.stop());

  it('serves every sample of the blocks, equal to promtool tsdb dump', async () => {
    const { series, warnings } = await fetchSeries(gw.client, { ...FULL, matchers: ALL });
    expect(warnings).toEqual([]);
    expect(dumpLines(series, FULL.minTime, FULL.maxTime, ['cluster', 'replica'])).toEqual(expectedDump());
  });

  it('adds the external labels of meta.json to every series and matches on them', async () => {
    const { series } = await fetchSeries(gw.client, { ...FULL, matchers: ALL });
    for (const s of series) {
      expect(s.labels.find((l) => l.name === 'cluster')?.value).toBe('eu-1');
      expect(s.labels.find((l) => l.name === 'replica')?.value).toBe('a');
    }
    const other = await fetchSeries(gw.client, {
      ...FULL,
      matchers: [...ALL, { type: LabelMatcherType.EQ, name: 'cluster', value: 'us-2' }],
    });
    expect(other.series).toEqual([]);
    const same = await fetchSeries(gw.client, {
      ...FULL,
      matchers: [{ type: LabelMatcherType.EQ, name: 'cluster', value: 'eu-1' }],
    });
    expect(same.series.length).toBe(series.length);
  });

  it('honours matchers and time ranges', async () => {
    const mint = 1672538400000 + 600_000;
    const maxt = 1672545598947 - 1_800_000;
    const { series } = await fetchSeries(gw.client, {
      minTime: mint,
      maxTime: maxt,
      matchers: [
        { type: LabelMatcherType.RE, name: '__name__', value: 'http_requests_total|queue_length' },
        { type: LabelMatcherType.NEQ, name: 'code', value: '500' },
      ],
    });
    const want = expectedDump(
      (labels, t) =>
        t >= mint &&
        t <= maxt &&
        /^\{__name__="(http_requests_total|queue_length)"/.test(labels) &&
        !labels.includes('code="500"'),
    );
    expect(want.length).toBeGreaterThan(100);
    expect(dumpLines(series, mint, maxt, ['cluster', 'replica'])).toEqual(want);
  });

  it('returns labels only with skip_chunks', async () => {
    const { series } = await fetchSeries(gw.client, {
      ...FULL,
      skipChunks: true,
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'late_series' }],
    });
    expect(series.map((s) => s.chunks.length)).toEqual([0]);
    expect(series[0].labels.map((l) => l.name)).toEqual(['__name__', 'cluster', 'phase', 'replica']);
  });

  it('answers label names and values, external labels included', async () => {
    const names = await gw.client.labelNames({ start: FULL.minTime, end: FULL.maxTime });
    expect(names.names).toContain('cluster');
    expect(names.names).toContain('__name__');
    const values = await gw.client.labelValues({ label: '__name__', start: FULL.minTime, end: FULL.maxTime });
    const fromDump = [...new Set(expectedDump().map((l) => /^\{__name__="([^"]+)"/.exec(l)![1]))].sort();
    expect(values.values).toEqual(fromDump);
    const ext = await gw.client.labelValues({ label: 'cluster', start: FULL.minTime, end: FULL.maxTime });
    expect(ext.values).toEqual(['eu-1']);
    const matched = await gw.client.labelValues({
      label: 'code',
      start: FULL.minTime,
      end: FULL.maxTime,
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'http_requests_total' }],
    });
    expect(matched.values.length).toBeGreaterThan(0);
  });

  it('reports its external label set and time range in Info', async () => {
    const info = await gw.client.info();
    expect(info.componentType).toBe('store');
    expect(info.labelSets).toEqual([
      {
        labels: [
          { name: 'cluster', value: 'eu-1' },
          { name: 'replica', value: 'a' },
        ],
      },
    ]);
    expect(info.store?.minTime).toBe(1672534050000);
    expect(info.store?.maxTime).toBeGreaterThan(1672545598947);
  });

  it('removes replica labels on request', async () => {
    const { series } = await fetchSeries(gw.client, {
      ...FULL,
      withoutReplicaLabels: ['replica'],
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'late_series' }],
    });
    expect(series[0].labels.map((l) => l.name)).toEqual(['__name__', 'cluster', 'phase']);
  });

  it('publishes bucket, cache and block metrics', async () => {
    expect(await metricValue(gw.registry, 'thanos_bucket_store_blocks_loaded')).toBe(3);
    expect(
      await metricValue(gw.registry, 'thanos_objstore_bucket_operations_total', { operation: 'get_range' }),
    ).toBeGreaterThan(0);
    expect(await metricValue(gw.registry, 'thanos_store_index_cache_requests_total')).toBeGreaterThan(0);
    expect(await metricValue(gw.registry, 'thanos_store_index_cache_hits_total')).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${gw.gateway.httpPort}/metrics`);
    const text = await res.text();
    expect(text).toContain('thanos_bucket_store_series_data_touched_bucket');
    expect((await fetch(`http://127.0.0.1:${gw.gateway.httpPort}/-/ready`)).status).toBe(200);
  });
});
