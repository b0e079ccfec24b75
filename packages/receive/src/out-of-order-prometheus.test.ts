import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { promtool, startPrometheus, tempDir, type PrometheusServer } from '@thanos-ts/testkit';
import {
  AppendStatus,
  appendFloat,
  formatGoFloat,
  labelsFromRecord,
  labelsToString,
  newMatcher,
  RecordType,
  replayWal,
  Tsdb,
} from '@thanos-ts/tsdb';
import { afterAll, describe, expect, it } from 'vitest';

const M = 60_000;
const H = 60 * M;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * H));

async function remoteWrite(
  prom: PrometheusServer,
  job: string,
  samples: Array<[number, number]>,
  name = 'ooo_oracle',
): Promise<number> {
  const body = compressSnappyBlock(
    encodeWriteRequest({
      timeseries: [
        {
          labels: [
            { name: '__name__', value: name },
            { name: 'job', value: job },
          ],
          timestamps: samples.map(([t]) => t),
          values: Float64Array.from(samples.map(([, v]) => v)),
        },
      ],
    }),
  );
  const res = await fetch(`${prom.url}/api/v1/write`, {
    method: 'POST',
    body,
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
  });
  await res.text();
  return res.status;
}

/** Our TSDB's samples of `name`, one `labels value t` line each, as promtool prints them. */
async function queryLines(db: Tsdb, name: string): Promise<string[]> {
  const lines: string[] = [];
  const q = await db.querier();
  for await (const s of q.select([newMatcher('=', '__name__', name)], 0, T0 + 4 * H)) {
    const it = s.iterator();
    while (it.next()) lines.push(`${labelsToString(s.labels)} ${formatGoFloat(it.v)} ${it.t}`);
  }
  return lines;
}

describe('a data directory written by Prometheus 2.42 with out-of-order ingestion', () => {
  const dir = tempDir('prom-ooo-');
  afterAll(() => dir.cleanup());

  it('holds what our TSDB holds after the same writes, edge cases of the out-of-order rules included', async () => {
    // One request per step: [job, samples, accepted by Prometheus (2xx)].
    const steps: Array<[string, Array<[number, number]>, boolean]> = [
      [
        'edge',
        [
          [T0, 1],
          [T0 + 2 * H, 2],
        ],
        true,
      ],
      // Within the 2h window: out of order, accepted.
      ['edge', [[T0 + 30 * M, 3]], true],
      // The same out-of-order timestamp again with another value: dropped silently, the first value stays.
      ['edge', [[T0 + 30 * M, 4]], true],
      // The newest in-order timestamp with another value: a duplicate, refused.
      ['edge', [[T0 + 2 * H, 5]], false],
      // An out-of-order sample repeating an in-order one: accepted, read once. (With another value
      // Prometheus' chained merge reads whichever source did not give the previous sample, here the
      // out-of-order one; ours reads the in-order one.)
      ['edge', [[T0, 1]], true],
      // Older than the head maximum minus the window: too old, refused.
      ['edge', [[T0 - M, 7]], false],
      // A new series older than max - chunkRange/2 but inside the window: out of order from its first sample.
      [
        'fresh',
        [
          [T0 + 20 * M, 8],
          [T0 + 10 * M, 9],
        ],
        true,
      ],
      // A new series within chunkRange/2 of the maximum: in order.
      [
        'recent',
        [
          [T0 + 90 * M, 10],
          [T0 + 80 * M, 11],
        ],
        true,
      ],
    ];
    const prom = await startPrometheus({
      dir: join(dir.path, 'edge'),
      config: 'storage:\n  tsdb:\n    out_of_order_time_window: 2h\n',
      extraArgs: ['--web.enable-remote-write-receiver'],
    });
    try {
      for (const [job, samples, accepted] of steps) {
        const status = await remoteWrite(prom, job, samples, 'ooo_edge');
        expect([job, samples, status < 300]).toEqual([job, samples, accepted]);
      }
    } finally {
      await prom.kill();
    }
    const dump = promtool(['tsdb', 'dump', prom.dataDir]);
    expect(dump.status, dump.stderr).toBe(0);

    const db = await Tsdb.open(join(dir.path, 'edge-ours'), { outOfOrderTimeWindow: 2 * H });
    try {
      for (const [job, samples, accepted] of steps) {
        const app = db.head.appender();
        const series = app.getOrCreate(labelsFromRecord({ __name__: 'ooo_edge', job }));
        const ok = samples
          .map(([t, v]) => appendFloat(app, series, t, v))
          .every((st) => st <= AppendStatus.duplicateIgnored);
        if (ok) app.commit();
        else app.rollback();
        expect([job, samples, ok]).toEqual([job, samples, accepted]);
      }
      expect(await queryLines(db, 'ooo_edge')).toEqual(dump.stdout.trimEnd().split('\n'));
    } finally {
      await db.close();
    }
  });

  it('opens with its WBL (m-map markers included) replayed to what promtool dumps', async () => {
    const prom = await startPrometheus({
      dir: dir.path,
      config: 'storage:\n  tsdb:\n    out_of_order_time_window: 1h\n',
      extraArgs: ['--web.enable-remote-write-receiver'],
    });
    try {
      for (const job of ['a', 'b']) {
        const inOrder: Array<[number, number]> = [];
        for (let t = T0; t <= T0 + H; t += M) inOrder.push([t, t / M]);
        expect(await remoteWrite(prom, job, inOrder)).toBeLessThan(300);
        // 60 out-of-order samples per series: more than the 32 of an OOO head chunk, so Prometheus m-maps one.
        for (let t = T0 + M / 2; t < T0 + H; t += 8 * M) {
          const batch: Array<[number, number]> = [];
          for (let k = 0; k < 8 && t + k * M < T0 + H; k++) batch.push([t + k * M, -(t + k * M) / M]);
          expect(await remoteWrite(prom, job, batch)).toBeLessThan(300);
        }
      }
    } finally {
      await prom.kill();
    }
    const oracle = join(dir.path, 'oracle');
    cpSync(prom.dataDir, oracle, { recursive: true });
    const dump = promtool(['tsdb', 'dump', oracle]);
    expect(dump.status, dump.stderr).toBe(0);
    const expected = dump.stdout.trimEnd().split('\n');
    expect(expected).toHaveLength(2 * (61 + 60));

    // Prometheus m-mapped full out-of-order chunks and logged m-map markers, which replay skips.
    const otherRecords: number[] = [];
    replayWal(join(oracle, 'wbl'), { other: (type) => otherRecords.push(type) });
    expect(otherRecords.length).toBeGreaterThan(0);
    expect(new Set(otherRecords)).toEqual(new Set([RecordType.MmapMarkers]));

    const ours = join(dir.path, 'ours');
    cpSync(prom.dataDir, ours, { recursive: true });
    const db = await Tsdb.open(ours, { outOfOrderTimeWindow: H });
    try {
      expect(db.wblReplay.samples).toBe(2 * 60);
      expect(await queryLines(db, 'ooo_oracle')).toEqual(expected);
    } finally {
      await db.close();
    }
  });
});
