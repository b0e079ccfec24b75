import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bucket } from '../bucket';
import { readAll } from '../body';
import { ObjectNotFoundError, isObjNotFoundErr } from '../errors';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

async function listing(bucket: Bucket, dir: string, recursive = false): Promise<string[]> {
  const names: string[] = [];
  await bucket.iter(dir, (n) => void names.push(n), { recursive });
  return names;
}

async function emptyBucket(bucket: Bucket): Promise<void> {
  for (const name of await listing(bucket, '', true)) await bucket.delete(name);
}

/**
 * The behaviour every provider must share (Thanos objstore acceptance semantics). `open`
 * returns a bucket for the suite; it is emptied before each test.
 */
export function describeBucketConformance(provider: string, open: () => Promise<Bucket>): void {
  describe(`${provider} bucket conformance`, () => {
    let bucket: Bucket;
    const files = tempDir('objstore-conformance-');

    beforeAll(async () => {
      bucket = await open();
    });
    afterAll(async () => {
      await bucket?.close();
      files.cleanup();
    });
    beforeEach(async () => {
      await emptyBucket(bucket);
    });

    it('uploads bytes and reads them back; overwrites replace', async () => {
      await bucket.upload('id1/obj_1.some', Buffer.from('@test-data@'));
      expect(text(await bucket.get('id1/obj_1.some'))).toBe('@test-data@');
      await bucket.upload('id1/obj_1.some', Buffer.from('replaced'));
      expect(text(await bucket.get('id1/obj_1.some'))).toBe('replaced');
    });

    it('stores empty objects and names with spaces and symbols', async () => {
      await bucket.upload('dir/empty', new Uint8Array(0));
      expect((await bucket.get('dir/empty')).length).toBe(0);
      await bucket.upload('dir/with space+plus&%.txt', Buffer.from('x'));
      expect(text(await bucket.get('dir/with space+plus&%.txt'))).toBe('x');
      expect(await listing(bucket, 'dir')).toEqual(['dir/empty', 'dir/with space+plus&%.txt']);
    });

    it('uploads from a stream and from a file path', async () => {
      const big = Buffer.alloc(300_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      await bucket.upload('s/stream', Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
      expect(Buffer.compare(Buffer.from(await bucket.get('s/stream')), big)).toBe(0);
      const path = join(files.path, 'upload.bin');
      writeFileSync(path, big);
      await bucket.upload('s/file', path);
      expect(Buffer.compare(Buffer.from(await bucket.get('s/file')), big)).toBe(0);
    });

    it('streams an object', async () => {
      await bucket.upload('a/b', Buffer.from('streamed content'));
      expect((await readAll(await bucket.getStream('a/b'))).toString()).toBe('streamed content');
    });

    it('reads ranges with Thanos semantics', async () => {
      await bucket.upload('r/obj', Buffer.from('@test-data@'));
      expect(text(await bucket.getRange('r/obj', 1, 3))).toBe('tes');
      expect(text(await bucket.getRange('r/obj', 0, 11))).toBe('@test-data@');
      expect(text(await bucket.getRange('r/obj', 3, -1))).toBe('st-data@');
      expect(text(await bucket.getRange('r/obj', 1, 9999))).toBe('test-data@');
      expect((await bucket.getRange('r/obj', 11, 3)).length).toBe(0);
      expect((await bucket.getRange('r/obj', 144, 3)).length).toBe(0);
      expect((await bucket.getRange('r/obj', 144, -1)).length).toBe(0);
      expect((await bucket.getRange('r/obj', 2, 0)).length).toBe(0);
      await expect(bucket.getRange('r/obj', -1, 3)).rejects.toThrow(RangeError);
    });

    it('raises typed not-found errors for reads of missing objects', async () => {
      for (const read of [
        () => bucket.get('missing/obj'),
        () => bucket.getStream('missing/obj'),
        () => bucket.getRange('missing/obj', 0, 10),
        () => bucket.attributes('missing/obj'),
      ]) {
        const err = await read().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ObjectNotFoundError);
        expect(isObjNotFoundErr(err)).toBe(true);
        expect((err as ObjectNotFoundError).objectName).toBe('missing/obj');
      }
    });

    it('reports existence and deletes (deleting a missing object is a no-op)', async () => {
      await bucket.upload('e/x', Buffer.from('1'));
      expect(await bucket.exists('e/x')).toBe(true);
      expect(await bucket.exists('e/y')).toBe(false);
      expect(await bucket.exists('e')).toBe(false);
      await bucket.delete('e/x');
      expect(await bucket.exists('e/x')).toBe(false);
      await bucket.delete('e/x');
      expect(await listing(bucket, '')).toEqual([]);
    });

    it('reports attributes', async () => {
      await bucket.upload('attr/obj', Buffer.from('12345'));
      const attrs = await bucket.attributes('attr/obj');
      expect(attrs.size).toBe(5);
      expect(attrs.lastModified).toBeInstanceOf(Date);
      expect(Number.isNaN(attrs.lastModified.getTime())).toBe(false);
      expect(attrs.lastModified.getTime()).toBeGreaterThan(Date.UTC(2020, 0, 1));
    });

    it('lists directories and objects, recursively or not', async () => {
      for (const name of ['id1/obj_1.some', 'id1/obj_2.some', 'id1/sub/obj_3.some', 'id2/obj_4.some', 'obj_5.some']) {
        await bucket.upload(name, Buffer.from(name));
      }
      expect(await listing(bucket, '')).toEqual(['id1/', 'id2/', 'obj_5.some']);
      expect(await listing(bucket, 'id1')).toEqual(['id1/obj_1.some', 'id1/obj_2.some', 'id1/sub/']);
      expect(await listing(bucket, 'id1/')).toEqual(['id1/obj_1.some', 'id1/obj_2.some', 'id1/sub/']);
      expect(await listing(bucket, 'id1', true)).toEqual(['id1/obj_1.some', 'id1/obj_2.some', 'id1/sub/obj_3.some']);
      expect(await listing(bucket, '', true)).toEqual([
        'id1/obj_1.some',
        'id1/obj_2.some',
        'id1/sub/obj_3.some',
        'id2/obj_4.some',
        'obj_5.some',
      ]);
      expect(await listing(bucket, 'nope')).toEqual([]);
      const viaIterator: string[] = [];
      for await (const n of bucket.iterate('id1')) viaIterator.push(n);
      expect(viaIterator).toEqual(['id1/obj_1.some', 'id1/obj_2.some', 'id1/sub/']);
    });

    it('stops listing when the callback fails', async () => {
      await bucket.upload('l/1', Buffer.from('1'));
      await bucket.upload('l/2', Buffer.from('2'));
      const seen: string[] = [];
      await expect(
        bucket.iter('l', (n) => {
          seen.push(n);
          throw new Error('stop here');
        }),
      ).rejects.toThrow('stop here');
      expect(seen).toEqual(['l/1']);
    });
  });
}
