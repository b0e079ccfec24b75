// The global view: a range query through the querier spanning blocks the receiver shipped
// to the bucket (served by the store gateway) and fresh data still in the receiver's head.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createBucket, FilesystemBucket, parseObjstoreConfig, type Bucket } from '@thanos-ts/objstore';
import { Querier } from '@thanos-ts/query';
import { loopbackReceiverConfig, Receiver } from '@thanos-ts/receive';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { createLogger } from '@thanos-ts/runtime';
import { STORE_DEFAULTS, StoreGateway } from '@thanos-ts/store';
import { S3rverProcess, tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const H = 3600_000;
const T0 = 1_600_000_000_000 - (1_600_000_000_000 % (2 * H));
const logger = createLogger({ write: () => {} });
const dir = tempDir('global-view-');
const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  dir.cleanup();
});

const s3 = new S3rverProcess(join(dir.path, 's3'), ['blocks']);
const buckets: Array<[string, () => Promise<() => Bucket>]> = [
  [
    'a filesystem bucket',
    async () => {
      const bucketDir = join(dir.path, 'bucket');
      mkdirSync(bucketDir);
      return () => new FilesystemBucket(bucketDir);
    },
  ],
  [
    'an S3 bucket (s3rver)',
    async () => {
      mkdirSync(join(dir.path, 's3'), { recursive: true });
      await s3.start();
      stops.push(() => s3.stop());
      const yaml = `type: S3\nconfig:\n  bucket: blocks\n  endpoint: 127.0.0.1:${s3.port}\n  access_key: S3RVER\n  secret_key: S3RVER\n  insecure: true\n`;
      return () => createBucket(parseObjstoreConfig(yaml));
    },
  ],
];

describe.each(buckets)('querier over a store gateway and a receiver, with %s', (name, makeBucket) => {
  it('answers a range query spanning blocks the receiver shipped and its head', async () => {
    const bucket = await makeBucket();
    const sub = join(dir.path, name.replace(/\W+/g, '-'));
    const receiver = new Receiver(
      loopbackReceiverConfig(join(sub, 'receive'), {
        externalLabels: [{ name: 'receive_replica', value: '0' }],
        logger,
        bucket: bucket(),
        retentionMs: H,
        maintenanceIntervalMs: 3_600_000,
        flushOnShutdown: false,
      }),
    );
    await receiver.start();
    stops.push(() => receiver.stop());
    for (let t = T0; t < T0 + 5 * H; t += 60_000) {
      const body = compressSnappyBlock(
        encodeWriteRequest({
          timeseries: [
            {
              labels: [
                { name: '__name__', value: 'gv' },
                { name: 'job', value: 'a' },
              ],
              timestamps: [t],
              values: Float64Array.of(t / 60_000),
            },
          ],
        }),
      );
      const res = await fetch(`http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`, { method: 'POST', body });
      expect(res.status).toBe(200);
    }
    // Compact [T0, T0+2h) into a block, ship it, and drop it locally (retention): only the
    // store gateway has that part now.
    await receiver.maintain();
    const db = await receiver.tsdbs.tenant('default-tenant');
    expect(db.blocks()).toEqual([]);
    expect(db.head.minTime).toBeGreaterThanOrEqual(T0 + 2 * H);

    const gateway = new StoreGateway({
      ...STORE_DEFAULTS,
      bucket: bucket(),
      dataDir: join(sub, 'store'),
      httpAddress: '127.0.0.1:0',
      grpcAddress: '127.0.0.1:0',
      logger,
    });
    await gateway.start();
    stops.push(() => gateway.stop());

    const querier = new Querier({
      httpAddress: '127.0.0.1:0',
      endpoints: [`127.0.0.1:${receiver.grpcPort}`, `127.0.0.1:${gateway.grpcPort}`],
      replicaLabels: [],
      logger,
    });
    await querier.start();
    stops.push(() => querier.stop());

    const params = new URLSearchParams({
      query: 'gv{job="a"}',
      start: String(T0 / 1000),
      end: String((T0 + 5 * H - 60_000) / 1000),
      step: '600',
    });
    let result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> = [];
    for (let i = 0; i < 50; i++) {
      const r = (await (await fetch(`http://127.0.0.1:${querier.httpPort}/api/v1/query_range?${params}`)).json()) as {
        data: { result: typeof result };
      };
      result = r.data.result;
      if (result.length === 1 && result[0].values.length === 30) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(result.map((s) => s.metric)).toEqual([
      { __name__: 'gv', job: 'a', receive_replica: '0', tenant_id: 'default-tenant' },
    ]);
    const expected = Array.from({ length: 30 }, (_, k) => [
      (T0 + k * 600_000) / 1000,
      String((T0 + k * 600_000) / 60_000),
    ]);
    expect(result[0].values).toEqual(expected);
  });
});
