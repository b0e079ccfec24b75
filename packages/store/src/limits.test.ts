import { FilesystemBucket } from '@thanos-ts/objstore';
import { GrpcStatus, LabelMatcherType, type StoreClientError } from '@thanos-ts/storepb';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_DEFAULTS } from './gateway';
import { fetchSeries, metricValue, startGateway, uploadBlocks, type RunningGateway } from './testing/harness';

const FULL = { minTime: Number.MIN_SAFE_INTEGER, maxTime: Number.MAX_SAFE_INTEGER };
const HTTP = [{ type: LabelMatcherType.EQ, name: '__name__', value: 'http_requests_total' }];

async function failure(p: Promise<unknown>): Promise<StoreClientError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: StoreClientError) => err,
  );
}

describe('request limits', () => {
  const dir = tempDir('store-limits-');
  let gw: RunningGateway;

  beforeAll(async () => {
    const bucket = new FilesystemBucket(dir.path);
    await uploadBlocks(bucket, { cluster: 'l' });
    gw = await startGateway(bucket, {
      limits: {
        series: 10,
        seriesFlag: '--store.limits.request-series',
        samples: 1000,
        samplesFlag: '--store.limits.request-samples',
      },
    });
  });
  afterAll(async () => {
    await gw.stop();
    dir.cleanup();
  });

  it('refuses a request touching too many series with RESOURCE_EXHAUSTED naming the limit', async () => {
    const err = await failure(fetchSeries(gw.client, { ...FULL, skipChunks: true, matchers: HTTP }));
    expect(err.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/exceeded series limit: limit 10 .*--store\.limits\.request-series/);
    expect(await metricValue(gw.registry, 'thanos_bucket_store_queries_dropped_total', { reason: 'series' })).toBe(1);
  });

  it('refuses a request fetching too many samples', async () => {
    const err = await failure(
      fetchSeries(gw.client, {
        ...FULL,
        matchers: [{ type: LabelMatcherType.RE, name: '__name__', value: 'queue_length|jittery_gauge' }],
      }),
    );
    expect(err.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/exceeded samples limit: limit 1000 .*--store\.limits\.request-samples/);
  });

  it('answers requests within the limits', async () => {
    const { series } = await fetchSeries(gw.client, {
      ...FULL,
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'late_series' }],
    });
    expect(series.length).toBe(1);
  });

  it('has no limits by default', () => {
    expect(STORE_DEFAULTS.limits).toEqual({ series: 0, samples: 0 });
  });
});
