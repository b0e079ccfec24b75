import { readdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from './errors';
import { FilesystemBucket } from './filesystem';
import { describeBucketConformance } from './testing/conformance';

const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function freshBucket(): FilesystemBucket {
  const dir = tempDir('objstore-fs-');
  dirs.push(dir);
  return new FilesystemBucket(dir.path);
}

describeBucketConformance('filesystem', async () => freshBucket());

describe('filesystem bucket', () => {
  it('never exposes a partially written object', async () => {
    const bucket = freshBucket();
    const body = new PassThrough();
    const done = bucket.upload('blk/index', body);
    body.write(Buffer.alloc(1000, 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(await bucket.exists('blk/index')).toBe(false);
    const names: string[] = [];
    await bucket.iter('', (n) => void names.push(n), { recursive: true });
    expect(names).toEqual([]);
    body.end(Buffer.alloc(1000, 2));
    await done;
    expect((await bucket.get('blk/index')).length).toBe(2000);
  });

  it('removes emptied directories on delete, rejects names escaping the root, and treats directories as missing objects', async () => {
    const bucket = freshBucket();
    await bucket.upload('a/b/c', Buffer.from('x'));
    await bucket.delete('a/b/c');
    expect(readdirSync(bucket.root)).toEqual([]);
    await expect(bucket.upload('../outside', Buffer.from('x'))).rejects.toThrow(/escapes the bucket/);
    await bucket.upload('d/obj', Buffer.from('x'));
    await expect(bucket.getStream('d')).rejects.toThrow(ObjectNotFoundError);
    await expect(bucket.getRange('d', 0, 1)).rejects.toThrow(ObjectNotFoundError);
    await expect(bucket.get('d')).rejects.toThrow(ObjectNotFoundError);
  });
});
