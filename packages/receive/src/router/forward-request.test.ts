import { decodeWriteRequest as decodeRemoteWrite, encodeWriteRequest, hashViewSeries } from '@thanos-ts/remote-write';
import { decodeWriteRequest } from '@thanos-ts/storepb';
import { describe, expect, it } from 'vitest';
import { createSeriesHasher } from '../hashring/index';
import { assignTenants } from '../ingest';
import { encodeForwardRequest } from './forward-request';

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0];

const request = decodeRemoteWrite(
  encodeWriteRequest({
    timeseries: [
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'job', value: 'a' },
        ],
        timestamps: [1, 2],
        values: Float64Array.of(1, STALE),
      },
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'receive_cluster', value: 'east' },
          { name: 'zone', value: 'ü' },
        ],
        timestamps: [3],
        values: Float64Array.of(-0),
        exemplars: [{ labels: [{ name: 'trace_id', value: 'x' }], value: 2, timestamp: 3 }],
      },
    ],
  }),
);

describe('encodeForwardRequest', () => {
  it('forwards series per tenant with the replica, without the split-tenant label, values bit-exact', () => {
    const { byTenant, skipLabel } = assignTenants(
      request,
      'main',
      new TextEncoder().encode('receive_cluster'),
      () => true,
    );
    const groups = [...byTenant].map(([tenant, series]) => ({ tenant, series }));
    const decoded = decodeWriteRequest(encodeForwardRequest(request, groups, skipLabel, 2));
    expect(decoded.replica).toBe(2);
    expect(decoded.timeseries).toEqual([]);
    expect(decoded.timeseriesTenantData.map((t) => t.tenant)).toEqual(['main', 'east']);
    const [main, east] = decoded.timeseriesTenantData.map((t) => t.timeseries[0]);
    expect(main.labels).toEqual([
      { name: '__name__', value: 'up' },
      { name: 'job', value: 'a' },
    ]);
    expect([...main.timestamps]).toEqual([1, 2]);
    expect(new BigUint64Array(main.values.buffer)[1]).toBe(0x7ff0000000000002n);
    expect(east.labels).toEqual([
      { name: '__name__', value: 'up' },
      { name: 'zone', value: 'ü' },
    ]);
    expect(east.exemplars).toEqual([{ labels: [{ name: 'trace_id', value: 'x' }], value: 2, timestamp: 3 }]);
  });

  it('copies series that follow one another in the request as they were sent, whatever their framing', () => {
    const series = Array.from({ length: 6 }, (_, i) => ({
      labels: [
        { name: '__name__', value: 'm' },
        { name: 'i', value: String(i) },
      ],
      timestamps: [i],
      values: Float64Array.of(i === 3 ? STALE : i),
    }));
    // series 4's TimeSeries field is framed with a two-byte length varint for a short length (valid protobuf)
    const parts = series.map((ts, i) => {
      const field = Buffer.from(encodeWriteRequest({ timeseries: [ts] }));
      if (i !== 4) return field;
      return Buffer.concat([Buffer.from([0x0a, (field[1] & 0x7f) | 0x80, 0x00]), field.subarray(2)]);
    });
    const view = decodeRemoteWrite(Buffer.concat(parts));
    const groups = [
      { tenant: 't', series: [0, 1, 2, 3, 4, 5] },
      { tenant: 'u', series: [1, 3, 4] },
    ];
    const decoded = decodeWriteRequest(encodeForwardRequest(view, groups, undefined, 1));
    const names = decoded.timeseriesTenantData.map((t) => t.timeseries.map((ts) => ts.labels[1].value));
    expect(names).toEqual([
      ['0', '1', '2', '3', '4', '5'],
      ['1', '3', '4'],
    ]);
    const sent = decoded.timeseriesTenantData[0].timeseries[3];
    expect(new BigUint64Array(sent.values.buffer, sent.values.byteOffset, 1)[0]).toBe(0x7ff0000000000002n);
    expect([...decoded.timeseriesTenantData[1].timeseries[2].timestamps]).toEqual([4]);
  });

  it('hashes series with the hashring hasher exactly as hashViewSeries does', async () => {
    const hasher = await createSeriesHasher();
    const src = request.buffer;
    const words = new DataView(src.buffer, src.byteOffset, src.length);
    for (let s = 0; s < request.seriesCount; s++) {
      const [first, end] = [request.seriesLabelStart[s], request.seriesLabelStart[s + 1]];
      expect(hasher.hashLabelRanges('tenant-a', src, words, request.labelRefs, first, end, -1)).toBe(
        hashViewSeries(request, s, 'tenant-a'),
      );
      expect(hasher.hash('tenant-a', request.seriesLabels(s))).toBe(hashViewSeries(request, s, 'tenant-a'));
    }
  });
});
