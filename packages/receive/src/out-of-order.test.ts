import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { downloadBlock, FilesystemBucket, listBlocks } from '@thanos-ts/objstore';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { LabelMatcherType, StoreClient } from '@thanos-ts/storepb';
import { promtool, tempDir } from '@thanos-ts/testkit';
import { chunkIterator, formatGoFloat } from '@thanos-ts/tsdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from './receiver';
import { loopbackReceiverConfig } from './testing/loopback';

const M = 60_000;
const H = 60 * M;
const T0 = 1_600_000_000_000 - (1_600_000_000_000 % (2 * H));
const LABELS = [
  { name: '__name__', value: 'late_metric' },
  { name: 'job', value: 'edge' },
];

async function send(r: Receiver, samples: Array<[number, number]>) {
  const body = compressSnappyBlock(
    encodeWriteRequest({
      timeseries: [
        {
          labels: LABELS,
          timestamps: samples.map(([t]) => t),
          values: Float64Array.from(samples.map(([, v]) => v)),
        },
      ],
    }),
  );
  const res = await fetch(`http://127.0.0.1:${r.remoteWritePort}/api/v1/receive`, { method: 'POST', body });
  return { status: res.status, body: await res.text() };
}

/** Every sample of `late_metric` the receiver's StoreAPI returns, as `t value` pairs in answer order. */
async function storeSamples(r: Receiver): Promise<Array<[number, number]>> {
  const client = new StoreClient(`127.0.0.1:${r.grpcPort}`);
  const out: Array<[number, number]> = [];
  try {
    const req = {
      minTime: 0,
      maxTime: T0 + 10 * H,
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'late_metric' }],
    };
    for await (const res of client.series(req)) {
      if (res.type !== 'series') continue;
      for (const c of res.series.chunks) {
        const it = chunkIterator({ encoding: 1, data: c.raw!.data });
        while (it.next()) out.push([it.t, it.v]);
      }
    }
  } finally {
    client.close();
  }
  return out;
}

describe('Receiver with --tsdb.out-of-order.time-window=1h', () => {
  const dir = tempDir('receive-ooo-');
  const bucketDir = join(dir.path, 'bucket');
  mkdirSync(bucketDir);
  const bucket = new FilesystemBucket(bucketDir);
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = new Receiver(
      loopbackReceiverConfig(join(dir.path, 'data'), {
        bucket,
        maintenanceIntervalMs: 3_600_000,
        outOfOrderTimeWindowMs: H,
      }),
    );
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    dir.cleanup();
  });

  const inOrder: Array<[number, number]> = [];
  for (let t = T0; t <= T0 + 4 * H; t += 30 * M) inOrder.push([t, t / M]);
  const late: Array<[number, number]> = [
    [T0 + 3 * H + 15 * M, -1],
    [T0 + 3 * H + 45 * M, -2],
  ];
  const expected = [...inOrder, ...late].sort((a, b) => a[0] - b[0]);

  it('accepts samples older than an earlier request within the window and serves them in order', async () => {
    expect((await send(receiver, inOrder)).status).toBe(200);
    expect(await send(receiver, late)).toEqual({ status: 200, body: '' });
    expect(await storeSamples(receiver)).toEqual(expected);
    const metrics = await receiver.registry.metrics();
    expect(metrics).toContain('prometheus_tsdb_head_out_of_order_samples_appended_total{tenant="default-tenant"} 2');
  });

  it('refuses a sample older than the window with 409 naming the series', async () => {
    const res = await send(receiver, [[T0 + 2 * H + 50 * M, 5]]);
    expect(res.status).toBe(409);
    expect(res.body).toContain('too old sample');
    expect(res.body).toContain('{__name__="late_metric", job="edge"}');
    expect(await storeSamples(receiver)).toEqual(expected);
  });

  it('compacts out-of-order samples into blocks that are shipped like any level-1 block', async () => {
    await receiver.maintain();
    const db = await receiver.tsdbs.tenant('default-tenant');
    expect(db.head.oooSeries.size).toBe(0);
    expect(await storeSamples(receiver)).toEqual(expected);
    const { blocks } = await listBlocks(bucket);
    const ooo = blocks.filter((b) => b.meta.compaction.hints?.includes('from-out-of-order'));
    expect(ooo.map((b) => [b.meta.minTime - T0, b.meta.maxTime - T0, b.meta.compaction.level])).toEqual([
      [2 * H, 4 * H, 1],
    ]);
    expect(ooo[0].meta.thanos.labels).toEqual({ replica: 'r0', tenant_id: 'default-tenant' });
    expect(blocks.length).toBe(2);

    // Every shipped block read together by the real promtool: in-order and out-of-order samples merged.
    const download = join(dir.path, 'download');
    mkdirSync(join(download, 'wal'), { recursive: true });
    for (const b of blocks) await downloadBlock(bucket, b.meta.ulid, join(download, b.meta.ulid));
    const dump = promtool(['tsdb', 'dump', download]);
    expect(dump.status, dump.stderr).toBe(0);
    const shipped = expected.filter(([t]) => t < T0 + 2 * H || late.some(([l]) => l === t));
    expect(dump.stdout.trimEnd().split('\n')).toEqual(
      shipped.map(([t, v]) => `{__name__="late_metric", job="edge"} ${formatGoFloat(v)} ${t}`),
    );
  });
});
