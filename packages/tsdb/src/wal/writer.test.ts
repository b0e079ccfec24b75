// Our writer against our reader and against the real promtool 2.42.
import { mkdirSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrometheus, promtool, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncodingBuffer } from '../encoding';
import { compareLabels, labelsFromRecord, labelsToString } from '../labels';
import {
  decodeSamples,
  decodeSeries,
  encodeSamples,
  encodeSeries,
  encodeTombstones,
  RecordType,
  recordType,
  SampleBatch,
  type RefSeries,
} from '../record';
import { PAGE_SIZE } from './layout';
import { WalReader, type WalRecord } from './reader';
import { repairWal } from './replay';
import { WalWriter } from './writer';

const SEGMENT = 4 * PAGE_SIZE;

/** Values whose Go `%g` rendering is unambiguous, as [hi, lo, printed]. */
const SPECIAL: [number, number, string][] = [
  [0x7ff00000, 0x00000002, 'NaN'], // stale marker
  [0x7ff80000, 0x00000001, 'NaN'], // Go's math.NaN()
  [0x7ff80000, 0x00000000, 'NaN'], // JS NaN
  [0x7ff00000, 0, '+Inf'],
  [0xfff00000, 0, '-Inf'],
  [0x80000000, 0, '-0'],
  [0, 0, '0'],
];

interface Workload {
  series: RefSeries[];
  /** Samples records, each a batch. */
  batches: SampleBatch[];
}

/** Series with awkward labels, and samples with special values, extreme timestamps and one huge record. */
function workload(): Workload {
  const series: RefSeries[] = [
    { ref: 1, labels: labelsFromRecord({ __name__: 'w_special', case: 'bits' }) },
    { ref: 2, labels: labelsFromRecord({ __name__: 'w_time', A_upper: 'x', quoted: 'grüße "☃"' }) },
  ];
  for (let i = 0; i < 40; i++) series.push({ ref: 3 + i, labels: labelsFromRecord({ __name__: 'w_bulk', n: `${i}` }) });
  const special = new SampleBatch();
  SPECIAL.forEach(([hi, lo], i) => special.pushBits(1, 1_700_000_000_000 + i * 15_000, hi, lo));
  const times = new SampleBatch();
  [-86_400_000, -1, 0, 1, 1e12, 4_102_444_800_000, 2 ** 45].forEach((t, i) => times.push(2, t, i - 3));
  // Two records that each span several pages even when compressed (jittered times, many series),
  // and do not fit in one segment together.
  const bulk = [new SampleBatch(), new SampleBatch()];
  let x = 12345;
  for (let k = 0; k < 400; k++) {
    for (let s = 0; s < 40; s++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      bulk[k < 200 ? 0 : 1].push(3 + s, 1_600_000_000_000 + k * 10_000 + (x % 997), (x % 100000) / 4);
    }
  }
  return { series, batches: [special, times, ...bulk] };
}

/** The used part of each column as hex, so that values compare by their bits. */
function columnHex(b: SampleBatch): string[] {
  const hex = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, b.length * 8).toString('hex');
  return [hex(b.refs), hex(b.timestamps), hex(b.values)];
}

function writeWorkload(dir: string, w: Workload, compress: boolean): void {
  const wal = WalWriter.open(dir, { segmentSize: SEGMENT, compress });
  const buf = new EncodingBuffer();
  wal.log(encodeSeries(buf, w.series.slice(0, 2)), encodeSeries(buf, w.series.slice(2)));
  for (const b of w.batches) {
    buf.reset();
    wal.log(encodeSamples(buf, b));
  }
  buf.reset();
  // A tombstone for an interval holding no sample keeps the dump unchanged.
  wal.log(encodeTombstones(buf, [{ ref: 2, mint: 5, maxt: 6 }]));
  return void wal.close();
}

function readAll(dir: string): WalRecord[] {
  const reader = WalReader.open(dir);
  const out: WalRecord[] = [];
  for (let r = reader.next(); r; r = reader.next()) out.push({ ...r, data: r.data.slice() });
  expect(reader.tornTail).toBeUndefined();
  return out;
}

/** `promtool tsdb dump` lines we expect: series sorted, samples in time order. */
function expectedDump(w: Workload): string[] {
  const bySeries = new Map<number, { t: number; v: string }[]>();
  for (const b of w.batches) {
    for (let i = 0; i < b.length; i++) {
      const special = SPECIAL.find(([hi, lo]) => hi === b.valueHi(i) && lo === b.valueLo(i));
      const v = special ? special[2] : String(b.values[i]);
      const list = bySeries.get(b.refs[i]) ?? [];
      list.push({ t: b.timestamps[i], v });
      bySeries.set(b.refs[i], list);
    }
  }
  const sorted = [...w.series].sort((a, b) => compareLabels(a.labels, b.labels));
  const lines: string[] = [];
  for (const s of sorted) {
    const samples = (bySeries.get(s.ref) ?? []).sort((a, b) => a.t - b.t);
    for (const p of samples) lines.push(`${labelsToString(s.labels)} ${p.v} ${p.t}`);
  }
  return lines;
}

const dirs: (() => void)[] = [];
function scratch(): string {
  const d = tempDir('wal-writer-');
  dirs.push(d.cleanup);
  return d.path;
}
afterAll(() => dirs.forEach((c) => c()));

describe.each([true, false])('WalWriter (compress=%s)', (compress) => {
  const w = workload();
  let walDir = '';
  let records: WalRecord[] = [];
  beforeAll(() => {
    const data = scratch();
    walDir = join(data, 'wal');
    writeWorkload(walDir, w, compress);
    records = readAll(walDir);
  });

  it('is read back identically by our reader', () => {
    expect(records.map((r) => recordType(r.data))).toEqual([1, 1, 2, 2, 2, 2, 3].map((t) => t as number));
    const series = records.slice(0, 2).flatMap((r) => decodeSeries(r.data));
    expect(series).toEqual(w.series);
    records.slice(2, 6).forEach((r, k) => {
      const got = decodeSamples(r.data);
      const want = w.batches[k];
      expect(got.length).toBe(want.length);
      expect(columnHex(got)).toEqual(columnHex(want));
    });
    expect(decodeSamples(records[2].data).isStale(0)).toBe(true);
  });

  it('splits the big record over pages, cuts segments and flags compression', () => {
    expect(Math.max(...records.map((r) => r.fragments))).toBeGreaterThanOrEqual(3);
    const segments = readdirSync(walDir).sort();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(new Set(records.map((r) => r.segment)).size).toBeGreaterThanOrEqual(2);
    for (const s of segments) {
      const size = statSync(join(walDir, s)).size;
      expect(size % PAGE_SIZE).toBe(0);
      expect(size).toBeLessThanOrEqual(SEGMENT);
    }
    expect(records.some((r) => r.compressed)).toBe(compress);
  });

  it('is read by promtool 2.42 tsdb dump with every sample', () => {
    ensurePrometheus();
    const r = promtool(['tsdb', 'dump', join(walDir, '..')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(expectedDump(w));
  });
});

describe('WalWriter behaviour', () => {
  it('continues an existing WAL in a new segment', async () => {
    const dir = join(scratch(), 'wal');
    const buf = new EncodingBuffer();
    const first = WalWriter.open(dir);
    first.log(encodeSeries(buf, [{ ref: 1, labels: labelsFromRecord({ a: 'b' }) }]));
    await first.close();
    const second = WalWriter.open(dir);
    expect(second.currentSegment).toBe(1);
    buf.reset();
    second.log(encodeSeries(buf, [{ ref: 2, labels: labelsFromRecord({ a: 'c' }) }]));
    await second.close();
    const recs = readAll(dir);
    expect(recs.map((r) => [r.segment, decodeSeries(r.data)[0].ref])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('after a crash, repair and restart, promtool reads the old short segment and the new one', async () => {
    const dir = join(scratch(), 'wal');
    const buf = new EncodingBuffer();
    const labels = labelsFromRecord({ __name__: 'restarted', job: 'x' });
    const sample = (t: number, v: number) => {
      const b = new SampleBatch();
      b.push(1, t, v);
      buf.reset();
      return encodeSamples(buf, b).slice();
    };
    const before = WalWriter.open(dir, { compress: false });
    before.log(encodeSeries(buf, [{ ref: 1, labels }]).slice(), sample(1000, 1));
    const tornAt = before.position.offset;
    before.log(sample(2000, 2));
    await before.close();
    // The crash cut the last record short.
    truncateSync(join(dir, '00000000'), tornAt + 20);
    expect(repairWal(dir)).toMatchObject({ segment: 0, offset: tornAt });
    const after = WalWriter.open(dir);
    after.log(sample(3000, 3));
    await after.close();
    ensurePrometheus();
    const r = promtool(['tsdb', 'dump', join(dir, '..')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `${labelsToString(labels)} 1 1000`,
      `${labelsToString(labels)} 3 3000`,
    ]);
  });

  it('writes an empty record as one empty full fragment and a page tail under 7 bytes as padding', async () => {
    const dir = join(scratch(), 'wal');
    const wal = WalWriter.open(dir, { compress: false });
    wal.log(new Uint8Array(0));
    // Leave exactly 3 bytes in the first page: 7 (empty) + 7 + n + 3 = 32768.
    const filler = new Uint8Array(PAGE_SIZE - 7 - 7 - 3).fill(RecordType.Unknown);
    wal.log(filler);
    expect(wal.position).toEqual({ segment: 0, offset: PAGE_SIZE });
    wal.log(new Uint8Array([9, 9]));
    await wal.close();
    const recs = readAll(dir);
    expect(recs.map((r) => [r.offset, r.data.length, r.fragments])).toEqual([
      [0, 0, 1],
      [7, filler.length, 1],
      [PAGE_SIZE, 2, 1],
    ]);
  });

  it('shares one fsync between concurrent callers (group commit)', async () => {
    const dir = join(scratch(), 'wal');
    const wal = WalWriter.open(dir);
    wal.log(new Uint8Array([1, 2, 3]));
    const before = wal.fsyncs;
    await Promise.all([wal.fsync(), wal.fsync(), wal.fsync(), wal.fsync()]);
    expect(wal.fsyncs - before).toBe(1);
    await wal.fsync();
    expect(wal.fsyncs - before).toBe(1);
    // Data logged while an fsync runs needs another one; later callers share it.
    const first = wal.fsync();
    wal.log(new Uint8Array([4]));
    const second = [wal.fsync(), wal.fsync()];
    wal.log(new Uint8Array([5]));
    await Promise.all([first, ...second]);
    expect(wal.fsyncs - before).toBe(2);
    await wal.fsync();
    expect(wal.fsyncs - before).toBe(3);
    await wal.close();
  });

  it('buffers append() until flush() and writes it all at once', async () => {
    const dir = join(scratch(), 'wal');
    mkdirSync(dir);
    const wal = WalWriter.open(dir, { compress: false });
    wal.append(new Uint8Array([1]), new Uint8Array([2]));
    expect(statSync(join(dir, '00000000')).size).toBe(0);
    wal.flush();
    expect(statSync(join(dir, '00000000')).size).toBe(16);
    await wal.close();
  });

  it('rejects a batch holding a record larger than a segment as a whole', async () => {
    const dir = join(scratch(), 'wal');
    const wal = WalWriter.open(dir, { segmentSize: PAGE_SIZE, compress: false });
    expect(() => wal.log(new Uint8Array([1]), new Uint8Array(PAGE_SIZE))).toThrow(RangeError);
    wal.flush();
    expect(statSync(join(dir, '00000000')).size).toBe(0);
    await wal.close();
  });
});
