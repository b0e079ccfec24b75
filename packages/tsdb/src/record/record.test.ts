import { describe, expect, it } from 'vitest';
import { CorruptionError, EncodingBuffer } from '../encoding';
import { labelsKey } from '../head/labels-key';
import { labelsFromRecord } from '../labels';
import {
  decodeExemplars,
  decodeMetadata,
  decodeSamples,
  decodeSeries,
  decodeTombstones,
  encodeExemplars,
  encodeMetadata,
  encodeSamples,
  encodeSeries,
  encodeSeriesKeys,
  encodeTombstones,
  ExemplarBatch,
  forEachSeries,
  RecordType,
  recordType,
  SampleBatch,
} from './index';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('record encoding as Prometheus writes it', () => {
  it('Series: type, be64 ref, uvarint count, uvarint-prefixed names and values', () => {
    const rec = encodeSeries(new EncodingBuffer(), [{ ref: 1, labels: labelsFromRecord({ a: 'b', __name__: 'up' }) }]);
    expect(hex(rec)).toBe('01' + '0000000000000001' + '02' + '085f5f6e616d655f5f' + '027570' + '0161' + '0162');
  });

  it('Samples: base ref and time, then zigzag deltas (negative ones too) and raw value bits', () => {
    const b = new SampleBatch();
    b.push(5, 1000, 1);
    b.push(3, 999, -0);
    b.pushBits(6, 1064, 0x7ff00000, 2);
    const rec = encodeSamples(new EncodingBuffer(), b);
    expect(hex(rec)).toBe(
      '02' +
        '0000000000000005' +
        '00000000000003e8' +
        ('00' + '00' + '3ff0000000000000') +
        ('03' + '01' + '8000000000000000') +
        ('02' + '8001' + '7ff0000000000002'),
    );
    const back = decodeSamples(rec);
    expect([...back.refs.subarray(0, 3)]).toEqual([5, 3, 6]);
    expect([...back.timestamps.subarray(0, 3)]).toEqual([1000, 999, 1064]);
    expect([back.valueBits(0), back.valueBits(1), back.valueBits(2)]).toEqual([
      0x3ff0000000000000n,
      0x8000000000000000n,
      0x7ff0000000000002n,
    ]);
    expect([back.isStale(1), back.isStale(2)]).toEqual([false, true]);
  });

  it('an empty Samples or Exemplars record is just the type byte', () => {
    expect(hex(encodeSamples(new EncodingBuffer(), new SampleBatch()))).toBe('02');
    expect(hex(encodeExemplars(new EncodingBuffer(), new ExemplarBatch()))).toBe('04');
    expect(decodeSamples(new Uint8Array([2])).length).toBe(0);
  });

  it('round-trips negative and large timestamps, tombstones, exemplars and metadata', () => {
    const buf = new EncodingBuffer(4);
    const b = new SampleBatch();
    for (const t of [-86_400_000, -1, 0, 4_102_444_800_000, 2 ** 52]) b.push(7, t, t / 3);
    const samples = decodeSamples(encodeSamples(buf, b).slice());
    expect([...samples.timestamps.subarray(0, 5)]).toEqual([-86_400_000, -1, 0, 4_102_444_800_000, 2 ** 52]);

    const stones = [
      { ref: 2, mint: -5, maxt: 10 },
      { ref: 9, mint: 1700000010000, maxt: 1700000020000 },
    ];
    expect(decodeTombstones(encodeTombstones(buf, stones))).toEqual(stones);

    const ex = new ExemplarBatch();
    ex.pushExemplarBits(4, 100, 0x3ff80000, 0, labelsFromRecord({ trace_id: 'ä' }));
    ex.pushExemplarBits(2, 50, 0, 1, []);
    const exBack = decodeExemplars(encodeExemplars(buf, ex));
    expect(exBack.labels).toEqual([labelsFromRecord({ trace_id: 'ä' }), []]);
    expect([exBack.refs[1], exBack.timestamps[1], exBack.valueBits(1)]).toEqual([2, 50, 1n]);

    const meta = [{ ref: 300, type: 2, unit: 'seconds', help: 'Time spent ☃.' }];
    const metaRec = encodeMetadata(buf, meta);
    expect(hex(metaRec.subarray(0, 5))).toBe('06ac020202');
    expect(decodeMetadata(metaRec)).toEqual(meta);
  });

  it('decoders skip unknown metadata fields', () => {
    const e = new EncodingBuffer();
    e.putByte(RecordType.Metadata);
    e.putUvarint(1);
    e.putByte(1);
    e.putUvarint(3);
    for (const s of ['OTHER', 'x', 'HELP', 'h', 'UNIT', 'u']) e.putUvarintStr(s);
    expect(decodeMetadata(e.bytes)).toEqual([{ ref: 1, type: 1, unit: 'u', help: 'h' }]);
  });
});

describe('recordType', () => {
  it('reports known types and Unknown for empty or unknown records', () => {
    expect(recordType(new Uint8Array([1]))).toBe(RecordType.Series);
    expect(recordType(new Uint8Array([7, 0]))).toBe(RecordType.HistogramSamples);
    expect(recordType(new Uint8Array([42]))).toBe(RecordType.Unknown);
    expect(recordType(new Uint8Array(0))).toBe(RecordType.Unknown);
  });
});

describe('malformed records', () => {
  it('throw CorruptionError with the offset inside the record', () => {
    const rec = encodeSeries(new EncodingBuffer(), [{ ref: 1, labels: labelsFromRecord({ a: 'b' }) }]).slice();
    const cut = rec.subarray(0, rec.length - 1);
    expect(() => decodeSeries(cut)).toThrow(CorruptionError);
    expect(() => decodeSamples(rec)).toThrow(/not a samples record: type byte 1/);
    const samples = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    try {
      decodeSamples(samples);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).offset).toBe(9);
    }
  });

  it('refuse a label count larger than the record instead of allocating it', () => {
    const e = new EncodingBuffer();
    e.putByte(RecordType.Series);
    e.putBE64(1);
    e.putUvarint(2 ** 40);
    expect(() => decodeSeries(e.bytes)).toThrow(/label count/);
  });

  const series = [
    { ref: 1, labels: labelsFromRecord({ __name__: 'up', job: 'node' }) },
    { ref: 7, labels: labelsFromRecord({ a: 'x'.repeat(200), b: 'é日本語 🙂', c: '' }) },
    { ref: 2 ** 40, labels: [] },
  ];

  it('a Series record encoded from keys is the one encoded from labels', () => {
    const fromKeys = encodeSeriesKeys(
      new EncodingBuffer(),
      series.map((s) => ({ ref: s.ref, key: labelsKey(s.labels) })),
    );
    expect(hex(fromKeys)).toBe(hex(encodeSeries(new EncodingBuffer(), series)));
  });

  it('forEachSeries hands out each series with its canonical key', () => {
    const got: Array<{ ref: number; labels: unknown; key: string }> = [];
    const n = forEachSeries(encodeSeries(new EncodingBuffer(), series), (ref, labels, key) =>
      got.push({ ref, labels, key: hex(key) }),
    );
    expect(n).toBe(3);
    expect(got).toEqual(series.map((s) => ({ ref: s.ref, labels: s.labels, key: hex(labelsKey(s.labels)) })));
  });

  it('round-trips a Samples record larger than the encoder scratch, small and huge deltas mixed', () => {
    const b = new SampleBatch();
    const want: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const ref = i % 7 === 0 ? 2 ** 45 + i : 1000 + ((i * 7919) % 3000);
      const t = i % 5 === 0 ? -(2 ** 50) + i : 1_700_000_000_000 + ((i * 104729) % 900_000) - 450_000;
      b.pushBits(ref, t, (i * 2654435761) >>> 0, i);
      want.push(`${ref} ${t} ${b.valueHi(i)} ${i}`);
    }
    const got = decodeSamples(encodeSamples(new EncodingBuffer(), b));
    expect(
      Array.from(
        { length: got.length },
        (_, i) => `${got.refs[i]} ${got.timestamps[i]} ${got.valueHi(i)} ${got.valueLo(i)}`,
      ),
    ).toEqual(want);
  });

  it('forEachSeries keys a label with invalid UTF-8 as labelsKey keys its decoded labels', () => {
    const e = new EncodingBuffer();
    e.putByte(RecordType.Series);
    e.putBE64(3);
    e.putUvarint(1);
    e.putUvarint(1);
    e.putBytes(new Uint8Array([0x61]));
    e.putUvarint(3);
    e.putBytes(new Uint8Array([0x61, 0xff, 0x62]));
    const keys: string[] = [];
    forEachSeries(e.bytes, (ref, labels, key) => {
      expect(labels).toEqual([{ name: 'a', value: 'a\uFFFDb' }]);
      keys.push(hex(key));
    });
    expect(keys).toEqual([hex(labelsKey([{ name: 'a', value: 'a\uFFFDb' }]))]);
  });
});
