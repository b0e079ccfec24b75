import type { Readable } from 'node:stream';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { BaseBucket } from './bucket';
import type { Bucket, IterOptions, ObjectAttributes, UploadBody } from './bucket';
import { isObjNotFoundErr } from './errors';

/** Operation label values, as Thanos names them. */
export const BUCKET_OPERATIONS = ['get', 'get_range', 'upload', 'delete', 'exists', 'iter', 'attributes'] as const;
export type BucketOperation = (typeof BUCKET_OPERATIONS)[number];

const DURATION_BUCKETS = [0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120];

/** Reads that may legitimately miss (Thanos does not count their not-found as failures). */
const NOT_FOUND_EXPECTED = new Set<BucketOperation>(['get', 'get_range', 'exists', 'attributes']);

interface BucketMetrics {
  ops: Counter<'bucket' | 'operation'>;
  failures: Counter<'bucket' | 'operation'>;
  duration: Histogram<'bucket' | 'operation'>;
  lastUpload: Gauge<'bucket'>;
}

/** One metric set per registry, so several buckets (or re-created ones) can share a registry. */
function metricsOn(registry: Registry): BucketMetrics {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const labelNames = ['bucket', 'operation'] as const;
  return {
    ops:
      existing('thanos_objstore_bucket_operations_total') ??
      new Counter({
        name: 'thanos_objstore_bucket_operations_total',
        help: 'Total number of all attempted operations against a bucket.',
        labelNames,
        registers: [registry],
      }),
    failures:
      existing('thanos_objstore_bucket_operation_failures_total') ??
      new Counter({
        name: 'thanos_objstore_bucket_operation_failures_total',
        help: 'Total number of operations against a bucket that failed, but were not expected to fail in certain way from caller perspective. Those errors have to be investigated.',
        labelNames,
        registers: [registry],
      }),
    duration:
      existing('thanos_objstore_bucket_operation_duration_seconds') ??
      new Histogram({
        name: 'thanos_objstore_bucket_operation_duration_seconds',
        help: 'Duration of successful operations against the bucket',
        labelNames,
        buckets: DURATION_BUCKETS,
        registers: [registry],
      }),
    lastUpload:
      existing('thanos_objstore_bucket_last_successful_upload_time') ??
      new Gauge({
        name: 'thanos_objstore_bucket_last_successful_upload_time',
        help: 'Second timestamp of the last successful upload to the bucket.',
        labelNames: ['bucket'],
        registers: [registry],
      }),
  };
}

/** Counts and times every operation of `inner` with the Thanos objstore metric names. */
export class MetricsBucket extends BaseBucket {
  private readonly metrics: BucketMetrics;

  constructor(
    private readonly inner: Bucket,
    registry: Registry,
    readonly name: string = inner.name,
  ) {
    super();
    this.metrics = metricsOn(registry);
    for (const operation of BUCKET_OPERATIONS) {
      const labels = { bucket: this.name, operation };
      this.metrics.ops.inc(labels, 0);
      this.metrics.failures.inc(labels, 0);
    }
    this.metrics.lastUpload.set({ bucket: this.name }, 0);
  }

  private start(operation: BucketOperation): (err?: unknown) => void {
    const labels = { bucket: this.name, operation };
    this.metrics.ops.inc(labels);
    const began = performance.now();
    return (err) => {
      if (err === undefined) this.metrics.duration.observe(labels, (performance.now() - began) / 1000);
      else if (!(NOT_FOUND_EXPECTED.has(operation) && isObjNotFoundErr(err))) this.metrics.failures.inc(labels);
    };
  }

  private async track<T>(operation: BucketOperation, op: () => Promise<T>): Promise<T> {
    const done = this.start(operation);
    try {
      const result = await op();
      done();
      return result;
    } catch (err) {
      done(err);
      throw err;
    }
  }

  get(name: string): Promise<Uint8Array> {
    return this.track('get', () => this.inner.get(name));
  }

  /** Like Thanos, a streamed get is timed until the stream ends, and read errors count as failures. */
  async getStream(name: string): Promise<Readable> {
    const done = this.start('get');
    let stream: Readable;
    try {
      stream = await this.inner.getStream(name);
    } catch (err) {
      done(err);
      throw err;
    }
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      done(err);
    };
    stream.once('end', () => finish());
    stream.once('error', (err) => finish(err));
    stream.once('close', () => finish());
    return stream;
  }

  getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    return this.track('get_range', () => this.inner.getRange(name, offset, length));
  }

  async upload(name: string, body: UploadBody): Promise<void> {
    await this.track('upload', () => this.inner.upload(name, body));
    this.metrics.lastUpload.set({ bucket: this.name }, Math.floor(Date.now() / 1000));
  }

  delete(name: string): Promise<void> {
    return this.track('delete', () => this.inner.delete(name));
  }

  override exists(name: string): Promise<boolean> {
    return this.track('exists', () => this.inner.exists(name));
  }

  attributes(name: string): Promise<ObjectAttributes> {
    return this.track('attributes', () => this.inner.attributes(name));
  }

  async *iterate(dir: string, options?: IterOptions): AsyncIterable<string> {
    const done = this.start('iter');
    let failure: unknown;
    try {
      yield* this.inner.iterate(dir, options);
    } catch (err) {
      failure = err ?? new Error('iteration failed');
      throw err;
    } finally {
      // Also reached when the consumer stops early, which is a successful listing.
      done(failure);
    }
  }

  override close(): Promise<void> {
    return this.inner.close();
  }
}
