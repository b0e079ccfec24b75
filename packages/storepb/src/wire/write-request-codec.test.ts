import { describe, expect, it } from 'vitest';
import { loadUpstreamProtoRoot } from '../proto/upstream';
import type { TimeSeries, WriteRequest } from '../types';
import { decodeWriteRequest, encodeWriteRequest } from './write-request-codec';

const upstream = loadUpstreamProtoRoot();
const WriteRequestPb = upstream.lookupType('thanos.WriteRequest');
const HistogramPb = upstream.lookupType('prometheus_copy.Histogram');

const STALE_NAN_BITS = 0x7ff0000000000002n;

function staleNaN(): Float64Array {
  const v = new Float64Array(1);
  new BigUint64Array(v.buffer)[0] = STALE_NAN_BITS;
  return v;
}

function series(name: string, samples: [number, number][]): TimeSeries {
  return {
    labels: [
      { name: '__name__', value: name },
      { name: 'job', value: 'jöb' },
    ],
    timestamps: Float64Array.from(samples.map((s) => s[0])),
    values: Float64Array.from(samples.map((s) => s[1])),
    exemplars: [],
    histograms: [],
  };
}

const histogramBytes = HistogramPb.encode(
  HistogramPb.fromObject({
    countInt: 3,
    sum: 1.5,
    schema: 1,
    positiveSpans: [{ offset: 0, length: 1 }],
    positiveDeltas: [3],
    timestamp: 1000,
  }),
).finish();

const request: WriteRequest = {
  timeseries: [
    series('up', [
      [1000, 1],
      [2000, 0],
      [-3000, 2.5],
    ]),
    {
      ...series('with_extras', [[0, 7]]),
      exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 0.25, timestamp: 1500 }],
      histograms: [new Uint8Array(histogramBytes)],
    },
  ],
  tenant: 'tenant-a',
  replica: 3,
  timeseriesTenantData: [{ timeseries: [series('other', [[5, 6]])], tenant: 'tenant-b' }],
};

function toPbObject(req: WriteRequest): Record<string, unknown> {
  const ts = (s: TimeSeries) => ({
    labels: s.labels,
    samples: Array.from(s.timestamps, (t, i) => ({
      ...(s.values[i] !== 0 ? { value: s.values[i] } : {}),
      ...(t !== 0 ? { timestamp: t } : {}),
    })),
    exemplars: s.exemplars,
    histograms: s.histograms.map((h) => HistogramPb.decode(h)),
  });
  return {
    timeseries: req.timeseries.map(ts),
    tenant: req.tenant,
    replica: req.replica,
    timeseriesTenantData: req.timeseriesTenantData.map((t) => ({ timeseries: t.timeseries.map(ts), tenant: t.tenant })),
  };
}

describe('WriteRequest codec', () => {
  it('encodes byte-identically to protobufjs from the upstream .proto', () => {
    const ours = encodeWriteRequest(request);
    const theirs = WriteRequestPb.encode(WriteRequestPb.fromObject(toPbObject(request))).finish();
    expect(ours.equals(Buffer.from(theirs))).toBe(true);
  });

  it('decodes what it encodes, histograms passed through as their encoded bytes', () => {
    const decoded = decodeWriteRequest(new Uint8Array(encodeWriteRequest(request)));
    expect(decoded).toEqual(request);
  });

  it('keeps the bit pattern of the stale-marker NaN', () => {
    const s = series('stale', [[1000, 0]]);
    s.values = staleNaN();
    const decoded = decodeWriteRequest(encodeWriteRequest({ ...request, timeseries: [s], timeseriesTenantData: [] }));
    expect(new BigUint64Array(decoded.timeseries[0].values.buffer)[0]).toBe(STALE_NAN_BITS);
  });

  it('decodes a protobufjs-encoded request with timestamps beyond ±2^53 clamped to the sentinels', () => {
    const bytes = WriteRequestPb.encode(
      WriteRequestPb.fromObject({
        timeseries: [
          { labels: [{ name: 'a', value: 'b' }], samples: [{ value: 1, timestamp: '-9223372036854775808' }] },
        ],
      }),
    ).finish();
    const decoded = decodeWriteRequest(bytes);
    expect(decoded.timeseries[0].timestamps[0]).toBe(Number.MIN_SAFE_INTEGER);
    expect(decoded.tenant).toBe('');
    expect(decoded.replica).toBe(0);
  });
});
