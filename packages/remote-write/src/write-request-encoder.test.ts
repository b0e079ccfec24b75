import { describe, expect, it } from 'vitest';
import { bitsOf, float64FromBits, loadRemoteWriteFixtures } from './test-fixtures';
import { decodeWriteRequest } from './write-request-decoder';
import { encodeWriteRequest, encodeWriteRequestFromView } from './write-request-encoder';

const fixtures = loadRemoteWriteFixtures();

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('encodeWriteRequest', () => {
  for (const fx of fixtures) {
    it(`reproduces ${fx.name}.pb byte for byte from its .json`, () => {
      expect(hex(encodeWriteRequest(fx.request))).toBe(hex(fx.pb));
    });
  }

  it('omits a +0 value but writes -0, keeping its sign', () => {
    const encoded = encodeWriteRequest({
      timeseries: [
        {
          labels: [{ name: 'a', value: 'b' }],
          timestamps: [1, 2],
          values: float64FromBits([0n, 0x8000000000000000n]),
        },
      ],
    });
    const view = decodeWriteRequest(encoded);
    expect(bitsOf(view.values)).toEqual([0n, 0x8000000000000000n]);
    // +0 sample: only the timestamp (10 01); -0 sample: value (09 + 8 bytes) and timestamp
    expect(hex(encoded)).toContain('12021001');
    expect(hex(encoded)).toContain('120b0900000000000000801002');
  });

  it('writes multi-byte UTF-8 label strings with their byte length', () => {
    const view = decodeWriteRequest(
      encodeWriteRequest({ timeseries: [{ labels: [{ name: 'städte', value: '東京 🗼' }] }] }),
    );
    expect(view.seriesLabels(0)).toEqual([{ name: 'städte', value: '東京 🗼' }]);
  });

  it('round-trips negative and large timestamps', () => {
    const timestamps = [-86400000, -1, 0, 1, 4102444800001, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    const view = decodeWriteRequest(
      encodeWriteRequest({
        timeseries: [{ labels: [{ name: 'a', value: 'b' }], timestamps, values: new Float64Array(timestamps.length) }],
      }),
    );
    expect(Array.from(view.timestamps)).toEqual(timestamps);
  });
});

describe('encodeWriteRequestFromView', () => {
  it('forwards a subset of series verbatim', () => {
    const fx = fixtures.find((f) => f.name === 'main/01-basic')!;
    const view = decodeWriteRequest(fx.pb);
    const subset = decodeWriteRequest(encodeWriteRequestFromView(view, [3, 0]));
    expect(subset.seriesCount).toBe(2);
    expect(subset.seriesLabels(0)).toEqual(view.seriesLabels(3));
    expect(subset.seriesLabels(1)).toEqual(view.seriesLabels(0));
    const from = view.seriesSampleStart[3];
    const to = view.seriesSampleStart[4];
    expect(bitsOf(subset.values.subarray(0, to - from))).toEqual(bitsOf(view.values.subarray(from, to)));
    expect(subset.metadataCount).toBe(0);
  });

  it('rebuilds the original request (minus metadata) when given every series in order', () => {
    const fx = fixtures.find((f) => f.name === 'big/01-big-request')!;
    const view = decodeWriteRequest(fx.pb);
    const all = Array.from({ length: view.seriesCount }, (_, i) => i);
    expect(hex(encodeWriteRequestFromView(view, all))).toBe(hex(fx.pb));
  });
});

describe('encodeWriteRequest input checks', () => {
  it('rejects a series whose timestamps and values differ in number', () => {
    expect(() =>
      encodeWriteRequest({
        timeseries: [{ labels: [{ name: 'a', value: 'b' }], timestamps: [1, 2], values: Float64Array.of(1) }],
      }),
    ).toThrow(RangeError);
  });
});
