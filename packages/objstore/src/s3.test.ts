import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { S3rverProcess, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket } from './bucket';
import { parseObjstoreConfig } from './config';
import { ObjstoreOperationError } from './errors';
import { createBucket } from './factory';
import { describeBucketConformance } from './testing/conformance';
import { FlakyProxy } from './testing/flaky-proxy';

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

const serverDir = tempDir('objstore-s3rver-');
const server = new S3rverProcess(serverDir.path, ['thanos', 'conformance', 'conformance-v1']);
let port = 0;

beforeAll(async () => {
  port = (await server.start()).port;
});
afterAll(async () => {
  await server.stop();
  serverDir.cleanup();
});

function s3Bucket(bucketName: string, extra = '', targetPort = port): Bucket {
  const yaml = `type: s3
config:
  bucket: ${bucketName}
  endpoint: 127.0.0.1:${targetPort}
  access_key: S3RVER
  secret_key: S3RVER
  insecure: true
${extra}`;
  return createBucket(parseObjstoreConfig(yaml), { retry: FAST_RETRY });
}

describeBucketConformance('s3 (s3rver)', async () => s3Bucket('conformance'));
describeBucketConformance('s3 (s3rver, ListObjects v1)', async () =>
  s3Bucket('conformance-v1', '  list_objects_version: v1\n'),
);

async function collect(bucket: Bucket, dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  await bucket.iter(dir, (n) => void out.push(n), { recursive });
  return out;
}

describe('s3 bucket', () => {
  it('pages through listings of more than 1000 entries (v1 and v2)', async () => {
    const names = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    server.seed('thanos', names);
    const v2 = s3Bucket('thanos');
    const v1 = s3Bucket('thanos', '  list_objects_version: v1\n');
    expect(await collect(v2, 'many', true)).toEqual(names);
    expect(await collect(v1, 'many', true)).toEqual(names);
    await Promise.all([v2.close(), v1.close()]);
  });

  describe('through a faulty network', () => {
    const proxy = new FlakyProxy(0);
    let bucket: Bucket;
    let patientBucket: Bucket;
    const files = tempDir('objstore-s3-big-');

    beforeAll(async () => {
      Object.assign(proxy, { targetPort: port });
      await proxy.start();
      bucket = s3Bucket('thanos', '  max_retries: 3\n  http_config:\n    response_header_timeout: 500ms\n', proxy.port);
      // s3rver goes quiet for longer than the short timeout while it stores a 64 MiB part.
      patientBucket = s3Bucket('thanos', '', proxy.port);
    });
    afterAll(async () => {
      await Promise.all([bucket.close(), patientBucket.close()]);
      await proxy.stop();
      files.cleanup();
    });

    it('uploads a file over 64 MiB in parts and reads it back', async () => {
      const path = join(files.path, 'big');
      const size = 64 * 1024 * 1024 + 123_457;
      const marks = [0, 5_000_000, 64 * 1024 * 1024 - 4, 64 * 1024 * 1024 + 4, size - 8];
      const fd = openSync(path, 'w');
      for (const at of marks) writeSync(fd, Buffer.from(`M${at}`.padEnd(8, '#').slice(0, 8)), 0, 8, at);
      closeSync(fd);
      proxy.requests.length = 0;
      await patientBucket.upload('big/chunks/000001', path);
      expect(proxy.requests.filter((r) => r.startsWith('PUT') && r.includes('partNumber=')).length).toBe(2);
      expect((await bucket.attributes('big/chunks/000001')).size).toBe(size);
      for (const at of marks) {
        expect(Buffer.from(await bucket.getRange('big/chunks/000001', at, 8)).toString()).toBe(
          `M${at}`.padEnd(8, '#').slice(0, 8),
        );
      }
      await bucket.delete('big/chunks/000001');
    });

    it('retries 5xx answers', async () => {
      proxy.requests.length = 0;
      proxy.failNext(2, 503);
      await bucket.upload('retry/obj', Buffer.from('payload'));
      expect(proxy.requests.filter((r) => r.startsWith('PUT'))).toHaveLength(3);
      expect(Buffer.from(await bucket.get('retry/obj')).toString()).toBe('payload');
    });

    it('gives up after the configured attempts with an error naming the operation', async () => {
      proxy.requests.length = 0;
      proxy.failNext(100, 500);
      const err = await bucket.get('retry/obj').catch((e: unknown) => e);
      proxy.failNext(0);
      expect(err).toBeInstanceOf(ObjstoreOperationError);
      expect((err as ObjstoreOperationError).status).toBe(500);
      expect((err as Error).message).toMatch(/get "retry\/obj" failed after 4 attempts.*HTTP 500/);
      expect(proxy.requests).toHaveLength(4);
    });

    it('does not retry 4xx answers', async () => {
      proxy.requests.length = 0;
      proxy.failNext(1, 403);
      const err = await bucket.get('retry/obj').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjstoreOperationError);
      expect((err as ObjstoreOperationError).status).toBe(403);
      expect(proxy.requests).toHaveLength(1);
    });

    it('times out on a server that stops answering', async () => {
      proxy.hang(true);
      const err = await bucket.get('retry/obj').catch((e: unknown) => e);
      proxy.hang(false);
      expect(err).toBeInstanceOf(ObjstoreOperationError);
      expect((err as Error).message).toMatch(/get "retry\/obj" failed after 4 attempts/);
    });

    it('fails clearly once the server is gone', async () => {
      const direct = s3Bucket('thanos', '  max_retries: 2\n');
      await server.stop();
      for (const [b, cause] of [
        [bucket, 'ECONNRESET'],
        [direct, 'ECONNREFUSED'],
      ] as const) {
        const err = await b.exists('retry/obj').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ObjstoreOperationError);
        expect((err as Error).message).toMatch(
          new RegExp(`attributes "retry/obj" failed after \\d attempts: ${cause}`),
        );
      }
      await direct.close();
    });
  });
});
