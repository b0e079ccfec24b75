import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createBucket,
  downloadBlock,
  FilesystemBucket,
  listBlocks,
  parseObjstoreConfig,
  type Bucket,
} from '@thanos-ts/objstore';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { formatGoFloat } from '@thanos-ts/tsdb';
import { promtool, S3rverProcess, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Receiver } from './receiver';
import { loopbackReceiverConfig } from './testing/loopback';

const H = 3600_000;
const T0 = 1_600_000_000_000 - (1_600_000_000_000 % (2 * H));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startReceiver(dir: string, bucket: Bucket): Promise<Receiver> {
  const r = new Receiver(
    loopbackReceiverConfig(dir, {
      externalLabels: [{ name: 'receive_replica', value: '0' }],
      bucket,
      maintenanceIntervalMs: 3_600_000,
      flushOnShutdown: false,
    }),
  );
  await r.start();
  return r;
}

/** Sends 5 hours of one-minute samples for two series; returns the promtool dump lines expected. */
async function sendHours(r: Receiver): Promise<string[]> {
  const lines: string[] = [];
  for (let t = T0; t < T0 + 5 * H; t += 60_000) {
    const timeseries = ['a', 'b'].map((job) => ({
      labels: [
        { name: '__name__', value: 'shipped' },
        { name: 'job', value: job },
      ],
      timestamps: [t],
      values: Float64Array.of(t / 1000),
    }));
    for (const job of ['a', 'b']) lines.push(`{__name__="shipped", job="${job}"} ${formatGoFloat(t / 1000)} ${t}`);
    const res = await fetch(`http://127.0.0.1:${r.remoteWritePort}/api/v1/receive`, {
      method: 'POST',
      body: compressSnappyBlock(encodeWriteRequest({ timeseries })),
    });
    expect(res.status).toBe(200);
  }
  return lines;
}

/** Each bucket kind the shipper is tested on: made in a test's directory, with its own cleanup. */
const bucketKinds: Array<[string, (dir: string) => Promise<Bucket>]> = [
  [
    'a filesystem bucket',
    async (dir) => {
      mkdirSync(join(dir, 'bucket'));
      return new FilesystemBucket(join(dir, 'bucket'));
    },
  ],
  [
    'an S3 bucket on a real S3-compatible server (s3rver)',
    async (dir) => {
      mkdirSync(join(dir, 's3'));
      const s3 = await new S3rverProcess(join(dir, 's3'), ['blocks']).start();
      cleanups.push(() => s3.stop());
      const yaml = `type: S3\nconfig:\n  bucket: blocks\n  endpoint: 127.0.0.1:${s3.port}\n  access_key: S3RVER\n  secret_key: S3RVER\n  insecure: true\n`;
      return createBucket(parseObjstoreConfig(yaml));
    },
  ],
];

describe.each(bucketKinds)('shipper to %s', (_kind, makeBucket) => {
  it('compacts the head and uploads each block once with the tenant labels, meta.json last', async () => {
    const dir = tempDir('ship-');
    cleanups.push(dir.cleanup);
    const bucket = await makeBucket(dir.path);
    const receiver = await startReceiver(join(dir.path, 'data'), bucket);
    cleanups.push(() => receiver.stop());
    const lines = await sendHours(receiver);
    await receiver.maintain();

    const listing = await listBlocks(bucket);
    expect(listing.blocks.length).toBe(1);
    const meta = listing.blocks[0].meta;
    expect([meta.minTime, meta.maxTime]).toEqual([T0, T0 + 2 * H]);
    expect(meta.thanos.labels).toEqual({ receive_replica: '0', tenant_id: 'default-tenant' });
    expect(meta.thanos.source).toBe('receive');

    const download = join(dir.path, 'download');
    mkdirSync(join(download, 'wal'), { recursive: true });
    await downloadBlock(bucket, meta.ulid, join(download, meta.ulid));
    const dump = promtool(['tsdb', 'dump', download]);
    expect(dump.status, dump.stderr).toBe(0);
    const inBlock = lines.filter((l) => Number(l.split(' ').at(-1)) < T0 + 2 * H);
    expect(dump.stdout.trimEnd().split('\n').sort()).toEqual(inBlock.sort());

    // A restart remembers what was shipped: nothing is uploaded twice.
    await receiver.stop();
    cleanups.pop();
    const again = await startReceiver(join(dir.path, 'data'), bucket);
    cleanups.push(() => again.stop());
    await again.maintain();
    expect((await listBlocks(bucket)).blocks.map((b) => b.meta.ulid)).toEqual([meta.ulid]);
  });
});
