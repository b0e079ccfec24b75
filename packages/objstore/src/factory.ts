import type { Registry } from 'prom-client';
import type { Bucket } from './bucket';
import { parseObjstoreConfig } from './config';
import type { FilesystemConfig, GcsConfig, ObjstoreConfig, S3Config } from './config';
import { FilesystemBucket } from './filesystem';
import { GcsBucket } from './gcs';
import { InMemoryBucket } from './inmem';
import type { ObjstoreLogger } from './logger';
import { MetricsBucket } from './metrics';
import { normalizePrefix, PrefixedBucket } from './prefixed';
import type { RetryPolicy } from './retry';
import { S3Bucket } from './s3';

export interface CreateBucketOptions {
  logger?: ObjstoreLogger;
  /** Where the `thanos_objstore_bucket_*` metrics go; no metrics without it. */
  registry?: Registry;
  /** Overrides the retry policy of remote providers. */
  retry?: Partial<RetryPolicy>;
}

function providerFor(config: ObjstoreConfig, options: CreateBucketOptions): Bucket {
  switch (config.type) {
    case 'FILESYSTEM':
      return new FilesystemBucket((config.config as FilesystemConfig).directory);
    case 'IN-MEMORY':
      return new InMemoryBucket();
    case 'S3':
      return new S3Bucket(config.config as S3Config, options);
    case 'GCS':
      return new GcsBucket(config.config as GcsConfig, options);
  }
}

/** Builds the bucket a Thanos objstore config describes: provider, then `prefix`, then metrics. */
export function createBucket(config: ObjstoreConfig | string, options: CreateBucketOptions = {}): Bucket {
  const parsed = typeof config === 'string' ? parseObjstoreConfig(config) : config;
  let bucket = providerFor(parsed, options);
  if (normalizePrefix(parsed.prefix) !== '') bucket = new PrefixedBucket(bucket, parsed.prefix);
  if (options.registry) bucket = new MetricsBucket(bucket, options.registry);
  options.logger?.info?.('loaded object storage config', { type: parsed.type, prefix: parsed.prefix });
  return bucket;
}
