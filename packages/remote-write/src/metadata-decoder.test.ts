import { describe, expect, it } from 'vitest';
import { decodeWriteRequestMetadata } from './metadata-decoder';
import { loadRemoteWriteFixtures } from './test-fixtures';
import { encodeWriteRequest, MetricType } from './write-request-encoder';

describe('decodeWriteRequestMetadata', () => {
  it('reads the metadata of the fixture request Prometheus-style', () => {
    const fx = loadRemoteWriteFixtures().find((f) => f.name === 'main/01-basic')!;
    expect(decodeWriteRequestMetadata(fx.pb)).toEqual([
      {
        type: 'counter',
        metricFamilyName: 'rw_requests_total',
        help: 'Requests (metadata is ignored by the 2.42 receiver).',
        unit: '',
      },
    ]);
  });

  it('names every metric type and keeps units and non-ASCII help', () => {
    const types = Object.values(MetricType);
    const buf = encodeWriteRequest({
      timeseries: [{ labels: [{ name: '__name__', value: 'x' }], timestamps: [1], values: Float64Array.of(1) }],
      metadata: types.map((type) => ({ type, metricFamilyName: `m${type}`, help: `Größe ${type}`, unit: 'bytes' })),
    });
    const got = decodeWriteRequestMetadata(buf);
    expect(got.map((m) => m.type)).toEqual([
      'unknown',
      'counter',
      'gauge',
      'histogram',
      'gaugehistogram',
      'summary',
      'info',
      'stateset',
    ]);
    expect(got[3]).toEqual({ type: 'histogram', metricFamilyName: 'm3', help: 'Größe 3', unit: 'bytes' });
  });
});
