import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FilesystemBucket, listBlocks } from '@thanos-ts/objstore';
import { encodeWriteRequest, compressSnappyBlock } from '@thanos-ts/remote-write';
import { fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import { LabelMatcherType, StoreClient } from '@thanos-ts/storepb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from './receiver';
import { spillRootOf } from './router/router';
import { loopbackReceiverConfig } from './testing/loopback';

const fixtureDir = join(fixturesDir, 'remote-write', 'main');

/**
 * Thanos answers some requests differently from Prometheus 2.42 (whose answers the
 * fixtures hold): Thanos replies 200 instead of 204, maps conflicts (out of order,
 * duplicate, out of bounds, invalid labels) to 409 instead of 400/500, and refuses label
 * sets that Prometheus repairs or accepts (unsorted labels, empty label values or names).
 * We also report a decreasing sample inside one series (21) that Prometheus drops silently.
 */
const THANOS_STATUS: Record<string, number> = {
  '01-basic': 200,
  '02-second-batch-same-series': 200,
  '03-unsorted-labels': 409,
  '04-timestamps-and-many-samples': 200,
  '05-empty-label-value-dropped': 409,
  '06-invalid-metric-name-accepted': 200,
  '07-duplicate-timestamp-same-value': 200,
  '08-empty-write-request': 200,
  '09-no-headers': 200,
  '10-bad-not-snappy': 400,
  '11-bad-snappy-framed': 400,
  '12-bad-truncated-protobuf': 400,
  '13-bad-empty-body': 400,
  '14-bad-duplicate-label-names': 409,
  '15-bad-empty-label-name': 409,
  '16-bad-empty-labelset': 409,
  '17-bad-out-of-order': 409,
  '18-bad-duplicate-timestamp-different-value': 409,
  '19-bad-out-of-bounds-too-old': 409,
  '20-bad-mixed-good-then-out-of-order': 409,
  '21-bad-sample-order-within-series': 409,
};

async function post(r: Receiver, body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${r.remoteWritePort}/api/v1/receive`, {
    method: 'POST',
    body,
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', ...headers },
  });
  return { status: res.status, body: await res.text() };
}

function request(series: Array<{ labels: Record<string, string>; samples: Array<[number, number]> }>): Uint8Array {
  return compressSnappyBlock(
    encodeWriteRequest({
      timeseries: series.map((s) => ({
        labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
        timestamps: s.samples.map(([t]) => t),
        values: Float64Array.from(s.samples.map(([, v]) => v)),
      })),
    }),
  );
}

describe('Receiver (ingestor mode)', () => {
  const dir = tempDir('receive-');
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = new Receiver(loopbackReceiverConfig(dir.path));
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    dir.cleanup();
  });

  it('answers every fixture request with the status Thanos gives', async () => {
    const names = readdirSync(fixtureDir)
      .filter((f) => f.endsWith('.bin'))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(names.length).toBe(21);
    const got: Record<string, number> = {};
    for (const name of names) {
      const meta = JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8'));
      got[name] = (await post(receiver, readFileSync(join(fixtureDir, `${name}.bin`)), meta.headers ?? {})).status;
    }
    expect(got).toEqual(THANOS_STATUS);
  });

  it('stores the valid series of a partially bad request and names the first offender', async () => {
    const res = await post(
      receiver,
      request([
        { labels: { __name__: 'partial_good', job: 'x' }, samples: [[1_800_000_000_000, 1]] },
        { labels: { job: 'x', __name__: 'partial_unsorted' }, samples: [[1_800_000_000_000, 1]] },
        { labels: { __name__: 'partial_empty', job: '' }, samples: [[1_800_000_000_000, 1]] },
      ]),
    );
    expect(res.status).toBe(409);
    expect(res.body).toContain('invalid labels: 2 series rejected, first: {job="x", __name__="partial_unsorted"}');
    const db = await receiver.tsdbs.tenant('default-tenant');
    expect(db.head.labelValues('__name__')).toContain('partial_good');
    expect(db.head.labelValues('__name__')).not.toContain('partial_unsorted');
  });

  it('refuses a tenant header that is not a single path element', async () => {
    const res = await post(receiver, request([{ labels: { __name__: 'a' }, samples: [[1, 1]] }]), {
      'THANOS-TENANT': '../x',
    });
    expect(res).toEqual({ status: 400, body: 'tenant name not valid: "../x"\n' });
  });

  it('keeps acknowledged samples in a WAL that the real promtool reads', async () => {
    const res = await post(
      receiver,
      request([{ labels: { __name__: 'acked', job: 'wal' }, samples: [[1_900_000_000_000, 42]] }]),
      { 'THANOS-TENANT': 'team-a' },
    );
    expect(res.status).toBe(200);
    const dump = promtool(['tsdb', 'dump', join(dir.path, 'team-a')]);
    expect(dump.status, dump.stderr).toBe(0);
    expect(dump.stdout).toBe('{__name__="acked", job="wal"} 42 1900000000000\n');
  });
});

describe('Receiver split tenants', () => {
  const dir = tempDir('receive-split-');
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = new Receiver(loopbackReceiverConfig(dir.path, { splitTenantLabelName: 'receive_cluster' }));
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    dir.cleanup();
  });

  it('routes series to the tenant named by the split label and drops the label', async () => {
    const res = await post(
      receiver,
      request([
        { labels: { __name__: 'up', job: 'a', receive_cluster: 'a' }, samples: [[1000, 1]] },
        { labels: { __name__: 'up', job: 'b', receive_cluster: 'b' }, samples: [[1000, 2]] },
        { labels: { __name__: 'up', job: 'none' }, samples: [[1000, 3]] },
      ]),
    );
    expect(res.status).toBe(200);
    const a = await receiver.tsdbs.tenant('a');
    const b = await receiver.tsdbs.tenant('b');
    const d = await receiver.tsdbs.tenant('default-tenant');
    expect(a.head.labelValues('job')).toEqual(['a']);
    expect(a.head.labelNames()).toEqual(['__name__', 'job']);
    expect(b.head.labelValues('job')).toEqual(['b']);
    expect(d.head.labelValues('job')).toEqual(['none']);
    expect(receiver.tenantLabels('a')).toEqual([
      { name: 'replica', value: 'r0' },
      { name: 'tenant_id', value: 'a' },
    ]);
  });

  it('serves each tenant over StoreAPI with its external labels, pruned by tenant_id', async () => {
    const client = new StoreClient(`127.0.0.1:${receiver.grpcPort}`);
    try {
      const info = await client.info();
      expect(info.componentType).toBe('receive');
      const got: string[] = [];
      const req = {
        minTime: 0,
        maxTime: 10_000,
        matchers: [
          { type: LabelMatcherType.EQ, name: 'tenant_id', value: 'a' },
          { type: LabelMatcherType.EQ, name: '__name__', value: 'up' },
        ],
      };
      for await (const r of client.series(req)) {
        if (r.type === 'series') got.push(r.series.labels.map((l) => `${l.name}=${l.value}`).join(','));
      }
      expect(got).toEqual(['__name__=up,job=a,replica=r0,tenant_id=a']);
      const all: number[] = [];
      for await (const r of client.series({ ...req, matchers: [req.matchers[1]] })) {
        if (r.type === 'series') all.push(r.series.chunks.length);
      }
      expect(all).toEqual([1, 1, 1]);
    } finally {
      client.close();
    }
  });

  it('refuses the whole request when a split label value is not a valid tenant', async () => {
    const res = await post(
      receiver,
      request([{ labels: { __name__: 'up', receive_cluster: '..' }, samples: [[1000, 1]] }]),
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain('split-tenant label value ".." is not a valid tenant name');
  });
});

describe('Receiver restarted on a data directory', () => {
  it('opens every tenant found on disk, so one that sends nothing more is still served', async () => {
    const dir = tempDir('receive-restart-');
    try {
      const first = new Receiver(loopbackReceiverConfig(dir.path));
      await first.start();
      const res = await post(first, request([{ labels: { __name__: 'up', job: 'b' }, samples: [[1000, 7]] }]), {
        'THANOS-TENANT': 'team-b',
      });
      expect(res.status).toBe(200);
      await first.stop();
      mkdirSync(join(spillRootOf(dir.path), 'peer'), { recursive: true });

      const second = new Receiver(loopbackReceiverConfig(dir.path));
      await second.start();
      const client = new StoreClient(`127.0.0.1:${second.grpcPort}`);
      try {
        expect(second.tsdbs.tenants().map(([t]) => t)).toEqual(['default-tenant', 'team-b']);
        const got: string[] = [];
        const matchers = [{ type: LabelMatcherType.EQ, name: 'tenant_id', value: 'team-b' }];
        for await (const r of client.series({ minTime: 0, maxTime: 10_000, matchers })) {
          if (r.type === 'series') got.push(r.series.labels.map((l) => `${l.name}=${l.value}`).join(','));
        }
        expect(got).toEqual(['__name__=up,job=b,replica=r0,tenant_id=team-b']);
      } finally {
        client.close();
        await second.stop();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('Receiver maintenance', () => {
  it('flushes the head of a tenant that wrote nothing for 1.5 block durations into blocks', async () => {
    const dir = tempDir('receive-idle-');
    let now = Date.now();
    const receiver = new Receiver({ ...loopbackReceiverConfig(dir.path), clock: () => now });
    await receiver.start();
    try {
      // old sample times alone (a sender catching up) do not make a tenant idle
      const fourHoursAgo = Date.now() - 4 * 3600_000;
      const samples: Array<[number, number]> = [0, 1, 2].map((i) => [fourHoursAgo + i * 60_000, i]);
      const write = (tenant: string, s: Array<[number, number]>) =>
        post(receiver, request([{ labels: { __name__: 'up' }, samples: s }]), { 'THANOS-TENANT': tenant });
      expect((await write('gone', samples)).status).toBe(200);
      await receiver.maintain();
      const gone = await receiver.tsdbs.tenant('gone');
      expect(gone.blocks()).toEqual([]);

      now += 3 * 3600_000 + 1;
      expect((await write('active', [[Date.now(), 1]])).status).toBe(200);
      await receiver.maintain();
      expect(gone.blocks().map((m) => m.stats.numSamples)).toEqual([3]);
      expect(Number.isFinite(gone.head.minTime)).toBe(false);
      const active = await receiver.tsdbs.tenant('active');
      expect(active.blocks()).toEqual([]);
      expect(active.head.numSeries).toBe(1);
    } finally {
      await receiver.stop();
      dir.cleanup();
    }
  });

  it('deletes a tenant with no samples and no writes within the retention, once its blocks are shipped', async () => {
    const dir = tempDir('receive-prune-');
    const bucket = new FilesystemBucket(join(dir.path, 'bucket'));
    let now = Date.now();
    const receiver = new Receiver({
      ...loopbackReceiverConfig(join(dir.path, 'receive')),
      clock: () => now,
      retentionMs: 4 * 3600_000,
      bucket,
    });
    await receiver.start();
    try {
      const write = (tenant: string, t: number) =>
        post(receiver, request([{ labels: { __name__: 'up' }, samples: [[t, 1]] }]), { 'THANOS-TENANT': tenant });
      const old = Date.now() - 5 * 3600_000;
      expect((await write('old', old)).status).toBe(200);
      expect((await write('recent', old)).status).toBe(200);
      const tenantDir = join(dir.path, 'receive', 'old');
      expect(existsSync(tenantDir)).toBe(true);

      // idle for 3 h, within the retention of their last write: their heads are flushed and shipped,
      // and both stay
      now += 3 * 3600_000 + 1;
      await receiver.maintain();
      expect(receiver.tsdbs.tenants().map(([t]) => t)).toEqual(expect.arrayContaining(['old', 'recent']));
      expect((await listBlocks(bucket)).blocks.map((b) => b.meta.thanos.labels.tenant_id).sort()).toEqual([
        'old',
        'recent',
      ]);

      // past the retention, the tenant that stopped writing goes; the one that wrote again stays
      expect((await write('recent', Date.now())).status).toBe(200);
      now += 2 * 3600_000;
      await receiver.maintain();
      expect(receiver.tsdbs.tenants().map(([t]) => t)).not.toContain('old');
      expect(existsSync(tenantDir)).toBe(false);
      expect(receiver.tsdbs.tenants().map(([t]) => t)).toContain('recent');

      // a later write brings the tenant back with a fresh TSDB
      expect((await write('old', Date.now())).status).toBe(200);
      expect((await receiver.tsdbs.tenant('old')).head.numSeries).toBe(1);
    } finally {
      await receiver.stop();
      dir.cleanup();
    }
  });
});
