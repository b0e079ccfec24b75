import { describe, expect, it } from 'vitest';
import { SnappyDecodeError, WriteRequestDecodeError } from './errors';
import { hashViewSeries } from './label-hash';
import { bitsOf, loadRemoteWriteFixtures } from './test-fixtures';
import { decodeRemoteWriteBody, decodeWriteRequest } from './write-request-decoder';
import { encodeWriteRequest } from './write-request-encoder';
import type { WriteRequestView } from './write-request-view';

const fixtures = loadRemoteWriteFixtures();

// What the fixture README says Prometheus 2.42 answered for the deliberately broken bodies.
const BROKEN_BODIES: Record<
  string,
  { type: typeof SnappyDecodeError | typeof WriteRequestDecodeError; message: string }
> = {
  'main/10-bad-not-snappy': { type: SnappyDecodeError, message: 'snappy: corrupt input' },
  'main/11-bad-snappy-framed': { type: SnappyDecodeError, message: 'snappy: corrupt input' },
  'main/12-bad-truncated-protobuf': { type: WriteRequestDecodeError, message: 'unexpected EOF' },
  'main/13-bad-empty-body': { type: SnappyDecodeError, message: 'snappy: corrupt input' },
};

function decodeError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('decodeRemoteWriteBody on the Prometheus fixtures', () => {
  it('covers all three fixture sets', () => {
    expect(fixtures.length).toBe(21 + 1 + 2);
  });

  for (const fx of fixtures) {
    const broken = BROKEN_BODIES[fx.name];
    if (broken) {
      it(`${fx.name} is rejected with "${broken.message}"`, () => {
        const err = decodeError(() => decodeRemoteWriteBody(fx.bin));
        expect(err).toBeInstanceOf(broken.type);
        expect((err as Error).message).toBe(broken.message);
      });
      continue;
    }
    it(`${fx.name} decodes to the content of its .json`, () => {
      const view = decodeRemoteWriteBody(fx.bin);
      const want = fx.json.write_request;
      expect(view.seriesCount).toBe(want.timeseries.length);
      expect(view.metadataCount).toBe(want.metadata.length);
      want.timeseries.forEach((s, i) => {
        expect(view.seriesLabels(i)).toEqual(s.labels);
        const [from, to] = [view.seriesSampleStart[i], view.seriesSampleStart[i + 1]];
        expect(Array.from(view.timestamps.subarray(from, to))).toEqual(s.samples.map((x) => x.timestamp));
        expect(bitsOf(view.values.subarray(from, to))).toEqual(fx.valueBits[i]);
        const ex = [view.seriesExemplarStart[i], view.seriesExemplarStart[i + 1]];
        expect(ex[1] - ex[0]).toBe(s.exemplars.length);
        s.exemplars.forEach((e, k) => {
          expect(view.exemplarLabels(ex[0] + k)).toEqual(e.labels);
          expect(view.exemplarTimestamps[ex[0] + k]).toBe(e.timestamp);
          expect(bitsOf(view.exemplarValues.subarray(ex[0] + k, ex[0] + k + 1))).toEqual([BigInt(e.bits)]);
        });
      });
      expect(view.sampleCount).toBe(want.timeseries.reduce((n, s) => n + s.samples.length, 0));
    });
  }

  it('decodes a Buffer that starts inside a larger ArrayBuffer', () => {
    const fx = fixtures.find((f) => f.name === 'main/01-basic')!;
    const backing = Buffer.alloc(fx.pb.length + 7, 0xee);
    backing.set(fx.pb, 3);
    const view = decodeWriteRequest(backing.subarray(3, 3 + fx.pb.length));
    const direct = decodeWriteRequest(fx.pb);
    expect(view.seriesCount).toBe(direct.seriesCount);
    for (let s = 0; s < view.seriesCount; s++) {
      expect(view.seriesLabels(s)).toEqual(direct.seriesLabels(s));
      expect(hashViewSeries(view, s, 't')).toBe(hashViewSeries(direct, s, 't'));
    }
    expect(bitsOf(view.values)).toEqual(bitsOf(direct.values));
  });

  it('keeps the stale marker and the Go NaN payload bit for bit', () => {
    const view = decodeRemoteWriteBody(fixtures.find((f) => f.name === 'main/01-basic')!.bin);
    const bits = bitsOf(view.values);
    expect(bits).toContain(0x7ff0000000000002n);
    expect(bits).toContain(0x7ff8000000000001n);
    expect(bits).toContain(0x8000000000000000n);
  });
});

/** Builds a protobuf from hex fragments (spaces ignored). */
function pb(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

function decodeFails(bytes: Uint8Array): WriteRequestDecodeError {
  const err = decodeError(() => decodeWriteRequest(bytes));
  expect(err).toBeInstanceOf(WriteRequestDecodeError);
  return err as WriteRequestDecodeError;
}

// A series {a="b"} with one sample (value 1.0, timestamp t given as a varint hex string).
function seriesWithTimestamp(varintHex: string): Uint8Array {
  const sample = `09 000000000000f03f 10 ${varintHex}`;
  const sampleLen = pb(sample).length;
  const series = `0a 06 0a 01 61 12 01 62 12 ${sampleLen.toString(16).padStart(2, '0')} ${sample}`;
  return pb(`0a ${pb(series).length.toString(16).padStart(2, '0')} ${series}`);
}

describe('decodeWriteRequest wire handling', () => {
  it('decodes an empty body as an empty request', () => {
    const view = decodeWriteRequest(new Uint8Array(0));
    expect(view.seriesCount).toBe(0);
    expect(view.sampleCount).toBe(0);
  });

  it('reads int64 timestamps exactly, including negative ones and the ±(2^53-1) limits', () => {
    const limits = [0, -1, 1, -86400000, 4102444800001, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const view = decodeWriteRequest(
      encodeWriteRequest({
        timeseries: [
          {
            labels: [{ name: 'a', value: 'b' }],
            timestamps: limits,
            values: new Float64Array(limits.length).fill(1),
          },
        ],
      }),
    );
    expect(Array.from(view.timestamps)).toEqual(limits);
  });

  it('rejects timestamps beyond ±(2^53-1) with a typed error', () => {
    // 2^53 = uvarint 80 80 80 80 80 80 80 10
    const tooBig = decodeFails(seriesWithTimestamp('80 80 80 80 80 80 80 10'));
    expect(tooBig.code).toBe('timestamp-out-of-range');
    expect(tooBig.message).toContain('9007199254740992');
    // -2^53 as a 10-byte two's complement varint
    const tooSmall = decodeFails(seriesWithTimestamp('80 80 80 80 80 80 80 f0 ff 01'));
    expect(tooSmall.code).toBe('timestamp-out-of-range');
    expect(tooSmall.message).toContain('-9007199254740992');
  });

  it('rejects varints longer than 10 bytes like gogo-protobuf', () => {
    const err = decodeFails(seriesWithTimestamp('ff ff ff ff ff ff ff ff ff ff 01'));
    expect(err.message).toBe('proto: integer overflow');
  });

  it('reports a length running past its message as unexpected EOF', () => {
    expect(decodeFails(pb('0a 05 0a 03 0a 01')).message).toBe('unexpected EOF');
    // the label claims 4 bytes, its series only has 3
    expect(decodeFails(pb('0a 03 0a 04 0a 02 61 62')).message).toBe('unexpected EOF');
  });

  it('names the field when a known field has the wrong wire type', () => {
    expect(decodeFails(pb('08 01')).message).toBe('proto: wrong wireType = 0 for field Timeseries');
    expect(decodeFails(pb('0a 09 11 0000000000000000')).message).toBe('proto: wrong wireType = 1 for field Samples');
    expect(decodeFails(pb('0a 02 10 05')).message).toBe('proto: wrong wireType = 0 for field Samples');
    expect(decodeFails(pb('0a 04 12 02 0a 00')).message).toBe('proto: wrong wireType = 2 for field Value');
  });

  it('rejects field number 0 and stray end-group tags', () => {
    expect(decodeFails(pb('02 00')).message).toBe('proto: WriteRequest: illegal tag 0 (wire type 2)');
    expect(decodeFails(pb('0a 01 0c')).message).toBe('proto: TimeSeries: wiretype end group for non-group');
    expect(decodeFails(pb('0a 01 4f')).message).toBe('proto: illegal wireType 7');
  });

  it('skips unknown fields of every wire type, groups included', () => {
    // field 2 (reserved) varint, field 9 fixed32, field 10 fixed64, field 11 group containing a varint
    const unknown = '10 07 4d 01020304 51 0102030405060708 5b 08 01 5c';
    const body = new Uint8Array([...pb(unknown), ...seriesWithTimestamp('01'), ...pb(unknown)]);
    const view = decodeWriteRequest(body);
    expect(view.seriesCount).toBe(1);
    expect(Array.from(view.timestamps)).toEqual([1]);
  });

  it('rejects invalid UTF-8 in label names and values', () => {
    const err = decodeFails(pb('0a 06 0a 04 0a 02 c3 28'));
    expect(err.code).toBe('invalid-utf8');
    expect(decodeWriteRequest(pb('0a 06 0a 04 0a 02 c3 bc')).labelName(0)).toBe('ü');
  });

  it('uses proto3 defaults for absent fields (value +0, timestamp 0, empty strings)', () => {
    const view = decodeWriteRequest(pb('0a 04 0a 00 12 00'));
    expect(view.seriesLabels(0)).toEqual([{ name: '', value: '' }]);
    expect(bitsOf(view.values)).toEqual([0n]);
    expect(Array.from(view.timestamps)).toEqual([0]);
  });

  it('counts native histograms and exposes their bytes without decoding them', () => {
    // Histogram { count_int=3 (08 03), schema=1 (zigzag 02 -> 20 02), timestamp=5 (78 05) }
    const histogram = '08 03 20 02 78 05';
    const view: WriteRequestView = decodeWriteRequest(pb(`0a 0f 0a 05 0a 01 61 12 00 22 06 ${histogram}`));
    expect(view.histogramCount).toBe(1);
    expect(Array.from(view.seriesHistogramStart)).toEqual([0, 1]);
    expect(Buffer.from(view.histogramBytes(0)).toString('hex')).toBe(histogram.replace(/ /g, ''));
    expect(view.sampleCount).toBe(0);
  });

  it('rejects a histogram whose inner structure is truncated', () => {
    expect(decodeFails(pb('0a 04 22 02 08 ff')).message).toBe('unexpected EOF');
  });
});
