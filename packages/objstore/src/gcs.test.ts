import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from './bucket';
import { parseObjstoreConfig } from './config';
import { ObjstoreOperationError } from './errors';
import { createBucket } from './factory';
import { describeBucketConformance } from './testing/conformance';
import { FakeGcsServer } from './testing/fake-gcs-server';
import { FlakyProxy } from './testing/flaky-proxy';

const fake = new FakeGcsServer(['conformance', 'thanos']);
const proxy = new FlakyProxy(0);

beforeAll(async () => {
  await fake.start();
  Object.assign(proxy, { targetPort: fake.port });
  await proxy.start();
});
afterAll(async () => {
  await proxy.stop();
  await fake.stop();
});

function gcsBucket(name: string, endpoint: string, extra = ''): Bucket {
  const yaml = `type: GCS
config:
  bucket: ${name}
  endpoint: ${endpoint}
${extra}`;
  return createBucket(parseObjstoreConfig(yaml), { retry: { baseDelayMs: 5, maxDelayMs: 20 } });
}

describeBucketConformance('gcs (fake JSON API)', async () => gcsBucket('conformance', fake.endpoint));

describe('gcs bucket', () => {
  it('follows page tokens through long listings', async () => {
    const bucket = gcsBucket('thanos', fake.endpoint);
    const names = Array.from({ length: 45 }, (_, i) => `pages/${String(i).padStart(3, '0')}`);
    const dirs = Array.from({ length: 12 }, (_, i) => `pages/d${String(i).padStart(2, '0')}/`);
    for (const n of [...names, ...dirs.map((d) => `${d}obj`)]) await bucket.upload(n, Buffer.from('.'));
    fake.pageSize = 10;
    fake.requests.length = 0;
    try {
      const listed: string[] = [];
      await bucket.iter('pages', (n) => void listed.push(n));
      expect(listed).toEqual([...names, ...dirs]);
      expect(fake.requests.filter((r) => r.includes('pageToken=')).length).toBeGreaterThanOrEqual(5);
      const recursive: string[] = [];
      await bucket.iter('pages', (n) => void recursive.push(n), { recursive: true });
      expect(recursive).toHaveLength(names.length + dirs.length);
    } finally {
      fake.pageSize = 1000;
    }
  });

  it('uploads large objects through resumable sessions in chunks', async () => {
    const bucket = gcsBucket('thanos', fake.endpoint, '  chunk_size_bytes: 262144\n');
    const big = Buffer.alloc(700_000);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    fake.requests.length = 0;
    await bucket.upload('resumable/big', big);
    expect(fake.requests.filter((r) => r.includes('uploadType=resumable'))).toHaveLength(1);
    expect(fake.requests.filter((r) => r.startsWith('PUT')).length).toBeGreaterThanOrEqual(3);
    expect(Buffer.compare(Buffer.from(await bucket.get('resumable/big')), big)).toBe(0);
    fake.requests.length = 0;
    await bucket.upload('resumable/small', Buffer.from('tiny'));
    expect(fake.requests.filter((r) => r.includes('uploadType=multipart'))).toHaveLength(1);
  });

  it('retries 5xx answers and not 4xx ones', async () => {
    const bucket = gcsBucket('thanos', `http://127.0.0.1:${proxy.port}`, '  max_retries: 2\n');
    proxy.requests.length = 0;
    proxy.failNext(2, 503);
    await bucket.upload('retry/obj', Buffer.from('payload'));
    expect(proxy.requests.filter((r) => r.startsWith('POST'))).toHaveLength(3);
    expect(Buffer.from(await bucket.get('retry/obj')).toString()).toBe('payload');

    proxy.requests.length = 0;
    proxy.failNext(1, 403);
    const err = await bucket.get('retry/obj').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjstoreOperationError);
    expect((err as ObjstoreOperationError).status).toBe(403);
    expect(proxy.requests).toHaveLength(1);

    proxy.failNext(100, 500);
    const exhausted = await bucket.attributes('retry/obj').catch((e: unknown) => e);
    proxy.failNext(0);
    expect((exhausted as Error).message).toMatch(
      /gcs bucket "thanos": attributes "retry\/obj" failed after 3 attempts: HTTP 500/,
    );
  });

  it('fails clearly when the server stops answering or is gone', async () => {
    const bucket = gcsBucket(
      'thanos',
      `http://127.0.0.1:${proxy.port}`,
      '  max_retries: 1\n  http_config:\n    response_header_timeout: 300ms\n',
    );
    await bucket.upload('gone/obj', Buffer.from('x'));
    proxy.hang(true);
    const hung = await bucket.get('gone/obj').catch((e: unknown) => e);
    proxy.hang(false);
    expect(hung).toBeInstanceOf(ObjstoreOperationError);
    expect((hung as Error).message).toMatch(/get "gone\/obj" failed after 2 attempts/);
    await proxy.stop();
    const gone = await bucket.exists('gone/obj').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ObjstoreOperationError);
    expect((gone as Error).message).toMatch(/attributes "gone\/obj" failed after 2 attempts: ECONNREFUSED/);
  });
});
