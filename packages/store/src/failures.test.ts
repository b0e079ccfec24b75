import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBucket, FilesystemBucket, parseObjstoreConfig, type Bucket } from '@thanos-ts/objstore';
import { GrpcStatus, LabelMatcherType, StoreClientError, type LabelMatcher } from '@thanos-ts/storepb';
import { S3rverProcess, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dumpLines,
  expectedDump,
  fetchSeries,
  fixtureBlockIds,
  fixtureBlocksDir,
  metricValue,
  startGateway,
  uploadBlocks,
} from './testing/harness';

const FULL = { minTime: Number.MIN_SAFE_INTEGER, maxTime: Number.MAX_SAFE_INTEGER };
const ALL: LabelMatcher[] = [{ type: LabelMatcherType.RE, name: '__name__', value: '.+' }];
const BAD_INDEX = '01HBAD1NDEX000000000000000';
const BAD_CHUNKS = '01HBADCHVNKS00000000000000';

/** A copy of a fixture block under another ULID. */
function copyBlock(from: string, id: string, into: string): string {
  const dst = join(into, id);
  cpSync(join(fixtureBlocksDir, from), dst, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dst, 'meta.json'), 'utf8'));
  writeFileSync(join(dst, 'meta.json'), JSON.stringify({ ...meta, ulid: id, compaction: { level: 1, sources: [id] } }));
  return dst;
}

async function errorOf(p: Promise<unknown>): Promise<StoreClientError> {
  try {
    await p;
  } catch (err) {
    return err as StoreClientError;
  }
  throw new Error('expected the call to fail');
}

describe('a corrupt block', () => {
  const work = tempDir('store-corrupt-');
  let gw: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    const bucket = new FilesystemBucket(join(work.path, 'bucket'));
    mkdirSync(join(work.path, 'src'));
    await uploadBlocks(bucket, { cluster: 'good' });
    await uploadBlocks(bucket, { cluster: 'bad' }, [
      copyBlock(fixtureBlockIds[0], BAD_INDEX, join(work.path, 'src')),
      copyBlock(fixtureBlockIds[1], BAD_CHUNKS, join(work.path, 'src')),
    ]);
    // Damage after upload, as a bad disk or a broken copy would: meta.json stays as uploaded.
    const index = new Uint8Array(await bucket.get(`${BAD_INDEX}/index`));
    index[12] ^= 0xff; // inside the symbol table: its CRC no longer matches
    await bucket.upload(`${BAD_INDEX}/index`, index);
    const chunks = await bucket.get(`${BAD_CHUNKS}/chunks/000001`);
    await bucket.upload(`${BAD_CHUNKS}/chunks/000001`, chunks.subarray(0, chunks.length >> 1));
    gw = await startGateway(bucket);
  });
  afterAll(async () => {
    await gw?.stop();
    work.cleanup();
  });

  it('is skipped with a log line and a metric while the other blocks are served', async () => {
    const { series, warnings } = await fetchSeries(gw.client, { ...FULL, matchers: ALL });
    const good = series.filter((s) => s.labels.some((l) => l.name === 'cluster' && l.value === 'good'));
    expect(dumpLines(good, FULL.minTime, FULL.maxTime, ['cluster'])).toEqual(expectedDump());
    expect(series.length).toBe(good.length);
    expect(warnings.join('\n')).toContain(BAD_INDEX);
    expect(warnings.join('\n')).toContain(BAD_CHUNKS);
    expect(await metricValue(gw.registry, 'thanos_bucket_store_block_load_failures_total')).toBe(2);
    expect(await metricValue(gw.registry, 'thanos_bucket_store_blocks_loaded')).toBe(3);
    const failures = gw.logs.filter((l) => l.includes('failed to load'));
    expect(failures.some((l) => l.includes(BAD_INDEX) && /checksum/.test(l))).toBe(true);
    expect(failures.some((l) => l.includes(BAD_CHUNKS) && /truncated/.test(l))).toBe(true);
  });

  it('keeps serving afterwards', async () => {
    const { series, warnings } = await fetchSeries(gw.client, { ...FULL, matchers: ALL });
    expect(warnings).toEqual([]);
    expect(dumpLines(series, FULL.minTime, FULL.maxTime, ['cluster'])).toEqual(expectedDump());
  });
});

describe('an unreachable bucket', () => {
  const s3Dir = tempDir('store-s3-outage-');
  const s3 = new S3rverProcess(s3Dir.path, ['blocks']);
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let bucket: Bucket;

  beforeAll(async () => {
    await s3.start();
    const yaml = `type: S3\nconfig:\n  bucket: blocks\n  endpoint: 127.0.0.1:${s3.port}\n  access_key: S3RVER\n  secret_key: S3RVER\n  insecure: true\n`;
    bucket = createBucket(parseObjstoreConfig(yaml), { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    await uploadBlocks(bucket, { cluster: 'c' });
    gw = await startGateway(bucket);
  });
  afterAll(async () => {
    await gw.stop();
    await s3.stop();
    s3Dir.cleanup();
  });

  it('fails requests with UNAVAILABLE naming the bucket, stays up, and recovers', async () => {
    const late = [{ type: LabelMatcherType.EQ, name: '__name__', value: 'late_series' }];
    expect((await fetchSeries(gw.client, { ...FULL, matchers: late })).series.length).toBe(1);

    await s3.stop();
    const queue = [{ type: LabelMatcherType.EQ, name: '__name__', value: 'queue_length' }];
    const err = await errorOf(fetchSeries(gw.client, { ...FULL, matchers: queue }));
    expect(err.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(err.details).toMatch(/bucket "blocks" unavailable/);
    await gw.gateway.syncNow();
    expect(gw.logs.some((l) => l.includes('block list sync failed'))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${gw.gateway.httpPort}/-/healthy`)).status).toBe(200);
    expect(await metricValue(gw.registry, 'thanos_bucket_store_blocks_loaded')).toBe(3);

    await new S3rverProcess(s3Dir.path, ['blocks'], s3.port).start().then((p) => Object.assign(s3, p));
    await gw.gateway.syncNow();
    const { series } = await fetchSeries(gw.client, { ...FULL, matchers: queue });
    expect(dumpLines(series, FULL.minTime, FULL.maxTime, ['cluster'])).toEqual(
      expectedDump((labels) => labels.startsWith('{__name__="queue_length"')),
    );
  });
});
