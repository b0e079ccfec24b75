import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InMemoryBucket } from './inmem';
import { MetricsBucket } from './metrics';
import { readAll } from './body';

async function value(registry: Registry, metric: string, operation: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === metric);
  const sample = (m?.values ?? []).find(
    (v) => v.labels.operation === operation && v.labels.bucket === 'test' && !('le' in v.labels),
  );
  return Number(sample?.value ?? NaN);
}

describe('MetricsBucket', () => {
  it('counts operations and unexpected failures with Thanos names and labels', async () => {
    const registry = new Registry();
    const bucket = new MetricsBucket(new InMemoryBucket('test'), registry);
    const ops = 'thanos_objstore_bucket_operations_total';
    const failures = 'thanos_objstore_bucket_operation_failures_total';
    expect(await value(registry, ops, 'get_range')).toBe(0);

    await bucket.upload('a/b', Buffer.from('hello'));
    await bucket.get('a/b');
    await readAll(await bucket.getStream('a/b'));
    await bucket.getRange('a/b', 1, 2);
    await bucket.exists('a/b');
    await bucket.attributes('a/b');
    await bucket.iter('', () => undefined);
    await bucket.delete('a/b');
    await expect(bucket.get('a/b')).rejects.toThrow(/not found/);
    await expect(bucket.getRange('a/b', -1, 2)).rejects.toThrow(RangeError);

    expect(await value(registry, ops, 'upload')).toBe(1);
    expect(await value(registry, ops, 'get')).toBe(3);
    expect(await value(registry, ops, 'get_range')).toBe(2);
    for (const op of ['exists', 'attributes', 'iter', 'delete']) expect(await value(registry, ops, op)).toBe(1);
    // A missing object on get is expected by callers, not a failure; a bad range is.
    expect(await value(registry, failures, 'get')).toBe(0);
    expect(await value(registry, failures, 'get_range')).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(
      'thanos_objstore_bucket_operation_duration_seconds_bucket{le="0.01",bucket="test",operation="get"}',
    );
    expect(text).toMatch(/thanos_objstore_bucket_last_successful_upload_time\{bucket="test"\} [1-9]/);
  });

  it('shares metrics when several buckets use one registry', async () => {
    const registry = new Registry();
    const a = new MetricsBucket(new InMemoryBucket('test'), registry);
    const b = new MetricsBucket(new InMemoryBucket('test'), registry);
    await a.exists('x');
    await b.exists('x');
    expect(await value(registry, 'thanos_objstore_bucket_operations_total', 'exists')).toBe(2);
  });
});
