// Startup replay and checkpoints, checked against the fixtures and against promtool.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrometheus, fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptionError, EncodingBuffer } from '../encoding';
import { labelsFromRecord, labelsToString } from '../labels';
import {
  decodeMetadata,
  decodeSamples,
  decodeSeries,
  encodeExemplars,
  encodeMetadata,
  encodeSamples,
  encodeSeries,
  encodeTombstones,
  ExemplarBatch,
  recordType,
  SampleBatch,
  type RefSeries,
} from '../record';
import { checkpoint, deleteCheckpointsBefore, deleteSegmentsBefore } from './checkpoint';
import { WalReader } from './reader';
import { replayWal, type ReplayProgress } from './replay';
import { WalWriter } from './writer';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));
function scratch(): string {
  const d = tempDir('wal-replay-');
  cleanups.push(d.cleanup);
  return d.path;
}

describe('replayWal', () => {
  it('streams the records of the main fixture with progress', () => {
    const expected = readFileSync(join(fixturesDir, 'wal', 'main', 'expected-records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const count = (type: string, key: string) =>
      expected.filter((r) => r.type === type).reduce((n, r) => n + r[key].length, 0);
    let series = 0;
    let samples = 0;
    let stale = 0;
    const tombstones: unknown[] = [];
    let exemplars = 0;
    const progress: ReplayProgress[] = [];
    const result = replayWal(join(fixturesDir, 'wal', 'main', 'wal'), {
      series: (s) => (series += s.length),
      samples: (b) => {
        samples += b.length;
        for (let i = 0; i < b.length; i++) if (b.isStale(i)) stale++;
      },
      tombstones: (t) => tombstones.push(...t),
      exemplars: (e) => (exemplars += e.length),
      progress: (p) => progress.push({ ...p }),
    });
    expect([series, samples, exemplars]).toEqual([
      count('series', 'series'),
      count('samples', 'samples'),
      count('exemplars', 'exemplars'),
    ]);
    expect(stale).toBe(1);
    expect(tombstones).toEqual([{ ref: 2, mint: 1700000010000, maxt: 1700000020000 }]);
    expect(result).toMatchObject({ records: expected.length, samples, series, bytes: 3642, repaired: false });
    expect(result.tornTail).toBeUndefined();
    expect(progress.at(-1)).toEqual({ segmentsDone: 1, segmentsTotal: 1, bytesDone: 3642, bytesTotal: 3642 });
  });

  it('reports, and on request repairs, a torn tail', () => {
    const dir = join(scratch(), 'wal');
    mkdirSync(dir);
    const seg = join(dir, '00000000');
    writeFileSync(seg, readFileSync(join(fixturesDir, 'wal', 'main', 'wal', '00000000')).subarray(0, 3620));
    expect(replayWal(dir, {}).tornTail).toMatchObject({ segment: 0, offset: 3615 });
    expect(replayWal(dir, {}, { repairTornTail: true })).toMatchObject({ repaired: true, records: 21 });
    expect(readFileSync(seg).length).toBe(3615);
    expect(replayWal(dir, {}).tornTail).toBeUndefined();
  });

  it('names the segment and record offset when a record does not decode', async () => {
    const dir = join(scratch(), 'wal');
    const wal = WalWriter.open(dir, { compress: false });
    wal.log(new Uint8Array([42, 1]), new Uint8Array([2, 0, 0, 1]));
    await wal.close();
    const other: number[] = [];
    let err: unknown;
    try {
      replayWal(dir, { samples: () => undefined, other: (t) => other.push(t) });
    } catch (e) {
      err = e;
    }
    expect(other).toEqual([42]);
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).file).toBe(join(dir, '00000000'));
    expect((err as CorruptionError).offset).toBe(9);
  });

  it('replays a large WAL quickly', async () => {
    const dir = join(scratch(), 'wal');
    const wal = WalWriter.open(dir);
    const buf = new EncodingBuffer(1 << 16);
    const nSeries = 2000;
    const perRecord = 1000;
    const series: RefSeries[] = [];
    for (let i = 1; i <= nSeries; i++) {
      series.push({
        ref: i,
        labels: labelsFromRecord({ __name__: 'bench_metric', instance: `host-${i}`, job: 'bench' }),
      });
    }
    wal.log(encodeSeries(buf, series));
    const batch = new SampleBatch(perRecord);
    let written = 0;
    for (let step = 0; step < 250; step++) {
      for (let s = 0; s < nSeries; s += perRecord) {
        batch.reset();
        for (let k = 0; k < perRecord; k++) batch.push(s + k + 1, 1_700_000_000_000 + step * 15_000, step * 0.5 + k);
        buf.reset();
        wal.log(encodeSamples(buf, batch));
        written += batch.length;
      }
    }
    await wal.close();
    let sum = 0;
    const start = performance.now();
    const result = replayWal(dir, {
      series: () => undefined,
      samples: (b) => {
        for (let i = 0; i < b.length; i++) sum += b.values[i];
      },
    });
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `replayWal: ${result.samples} samples, ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(3)} s = ` +
        `${Math.round(result.samples / seconds).toLocaleString('en')} samples/s`,
    );
    expect(result.samples).toBe(written);
    expect(result.series).toBe(nSeries);
    expect(sum).toBeGreaterThan(0);
  });
});

describe('checkpoint', () => {
  const t0 = 1_700_000_000_000;
  const lbl = (i: number) => labelsFromRecord({ __name__: 'cp_metric', id: String(i) });

  /** Segment 0: series 1-4 and samples; segment 1: more samples, tombstones, metadata, exemplars; segment 2: live data. */
  async function build(dir: string): Promise<void> {
    const wal = WalWriter.open(dir);
    const buf = new EncodingBuffer();
    const samples = (pairs: [number, number][]) => {
      const b = new SampleBatch();
      for (const [ref, t] of pairs) b.push(ref, t0 + t, t / 1000);
      buf.reset();
      return encodeSamples(buf, b).slice();
    };
    buf.reset();
    wal.log(
      encodeSeries(
        buf,
        [1, 2, 3, 4].map((ref) => ({ ref, labels: lbl(ref) })),
      ).slice(),
    );
    wal.log(samples([1, 2, 3, 4].flatMap((ref) => [[ref, 0] as [number, number], [ref, 60_000]])));
    wal.nextSegment();
    wal.log(samples([1, 2, 3, 4].map((ref) => [ref, 120_000] as [number, number])));
    buf.reset();
    wal.log(
      encodeTombstones(buf, [
        { ref: 1, mint: t0, maxt: t0 + 1 },
        { ref: 3, mint: t0 + 100_000, maxt: t0 + 110_000 },
      ]).slice(),
    );
    buf.reset();
    wal.log(
      encodeMetadata(buf, [
        { ref: 1, type: 1, unit: 'old', help: 'h' },
        { ref: 2, type: 2, unit: '', help: 'gone' },
        { ref: 1, type: 1, unit: 'seconds', help: 'latest' },
      ]).slice(),
    );
    const ex = new ExemplarBatch();
    ex.pushExemplarBits(1, t0 + 30_000, 0x3ff00000, 0, labelsFromRecord({ trace_id: 'a' }));
    ex.pushExemplarBits(3, t0 + 90_000, 0x40000000, 0, labelsFromRecord({ trace_id: 'b' }));
    buf.reset();
    wal.log(encodeExemplars(buf, ex).slice());
    wal.nextSegment();
    wal.log(samples([1, 3].map((ref) => [ref, 180_000] as [number, number])));
    await wal.close();
  }

  it('keeps live series, samples from mint, reaching tombstones and the latest metadata', async () => {
    const dir = join(scratch(), 'wal');
    await build(dir);
    const keep = (ref: number) => ref % 2 === 1;
    const { path, stats } = await checkpoint(dir, 0, 1, keep, t0 + 60_000);
    expect(path).toBe(join(dir, 'checkpoint.00000001'));
    expect(stats).toEqual({
      droppedSeries: 2,
      droppedSamples: 4,
      droppedTombstones: 1,
      droppedExemplars: 1,
      droppedMetadata: 2,
      totalSeries: 4,
      totalSamples: 12,
      totalTombstones: 2,
      totalExemplars: 2,
      totalMetadata: 3,
    });
    const reader = WalReader.open(path, { tolerateTornTail: false });
    const types: number[] = [];
    let kept = 0;
    for (let r = reader.next(); r; r = reader.next()) {
      types.push(recordType(r.data));
      if (types.at(-1) === 1) expect(decodeSeries(r.data).map((s) => s.ref)).toEqual([1, 3]);
      if (types.at(-1) === 2) kept += decodeSamples(r.data).length;
      if (types.at(-1) === 6)
        expect(decodeMetadata(r.data)).toEqual([{ ref: 1, type: 1, unit: 'seconds', help: 'latest' }]);
    }
    // Samples of dropped series stay when recent enough: the head decides with `keep` on replay.
    expect(kept).toBe(8);
    expect(types).toEqual([1, 2, 2, 3, 4, 6]);

    deleteSegmentsBefore(dir, 2);
    deleteCheckpointsBefore(dir, 1);
    expect(readdirSync(dir).sort()).toEqual(['00000002', 'checkpoint.00000001']);
    const replayed: string[] = [];
    const result = replayWal(dir, {
      samples: (b) => {
        for (let i = 0; i < b.length; i++) replayed.push(`${b.refs[i]}@${b.timestamps[i] - t0}`);
      },
    });
    expect(result.checkpoint).toBe(1);
    expect(replayed).toEqual([
      '1@60000',
      '2@60000',
      '3@60000',
      '4@60000',
      '1@120000',
      '2@120000',
      '3@120000',
      '4@120000',
      '1@180000',
      '3@180000',
    ]);

    // promtool replays checkpoint + segment 2 like Prometheus does.
    ensurePrometheus();
    const dump = promtool(['tsdb', 'dump', join(dir, '..')]);
    expect(dump.status, dump.stderr).toBe(0);
    const line = (ref: number, t: number) => `${labelsToString(lbl(ref))} ${t / 1000} ${t0 + t}`;
    expect(dump.stdout.trimEnd().split('\n')).toEqual([
      line(1, 60_000),
      line(1, 120_000),
      line(1, 180_000),
      line(3, 60_000),
      line(3, 120_000),
      line(3, 180_000),
    ]);
  });

  it('folds the previous checkpoint into the next one', async () => {
    const dir = join(scratch(), 'wal');
    await build(dir);
    await checkpoint(dir, 0, 0, () => true, 0);
    deleteSegmentsBefore(dir, 1);
    const { stats } = await checkpoint(dir, 0, 1, () => true, 0);
    expect(stats.totalSeries).toBe(4);
    expect(stats.totalSamples).toBe(12);
    deleteSegmentsBefore(dir, 2);
    deleteCheckpointsBefore(dir, 1);
    expect(readdirSync(dir).sort()).toEqual(['00000002', 'checkpoint.00000001']);
    expect(replayWal(dir, { samples: () => undefined }).samples).toBe(14);
  });
});
