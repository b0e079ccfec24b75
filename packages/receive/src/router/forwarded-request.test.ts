import {
  encodeWriteRequest as encodeRemoteWrite,
  decodeWriteRequest as decodeRemoteWrite,
} from '@thanos-ts/remote-write';
import { encodeWriteRequest } from '@thanos-ts/storepb';
import { describe, expect, it } from 'vitest';
import { encodeForwardRequest } from './forward-request';
import { ForwardedRequestError, parseForwardedRequest } from './forwarded-request';

const ts = (name: string, t: number) => ({
  labels: [{ name: '__name__', value: name }],
  timestamps: Float64Array.of(t),
  values: Float64Array.of(t),
  exemplars: [],
  histograms: [],
});

describe('parseForwardedRequest', () => {
  it('reads each tenant tuple as a view, with the replica', () => {
    const buf = encodeWriteRequest({
      timeseries: [],
      tenant: '',
      replica: 3,
      timeseriesTenantData: [
        { tenant: 'a', timeseries: [ts('x', 1), ts('y', 2)] },
        { tenant: 'b', timeseries: [ts('z', 3)] },
      ],
    });
    const req = parseForwardedRequest(buf);
    expect(req.replica).toBe(3);
    expect(req.tenants.map((t) => [t.tenant, t.view.seriesCount, [...t.view.timestamps]])).toEqual([
      ['a', 2, [1, 2]],
      ['b', 1, [3]],
    ]);
    expect(req.tenants[1].view.seriesLabels(0)).toEqual([{ name: '__name__', value: 'z' }]);
  });

  it('reads the legacy (timeseries, tenant) form', () => {
    const buf = encodeWriteRequest({ timeseries: [ts('x', 1)], tenant: 'old', replica: 1, timeseriesTenantData: [] });
    const req = parseForwardedRequest(buf);
    expect(req.tenants.map((t) => [t.tenant, t.view.seriesCount])).toEqual([['old', 1]]);
  });

  it('reads back what encodeForwardRequest writes, and merged records as one request', () => {
    const view = decodeRemoteWrite(
      encodeRemoteWrite({
        timeseries: [{ labels: [{ name: '__name__', value: 'm' }], timestamps: [5], values: Float64Array.of(1) }],
      }),
    );
    const one = encodeForwardRequest(view, [{ tenant: 't', series: [0] }], undefined, 2);
    const req = parseForwardedRequest(Buffer.concat([one, one]));
    expect(req.replica).toBe(2);
    expect(req.tenants.map((t) => t.tenant)).toEqual(['t', 't']);
  });

  it('refuses a truncated request naming the offset', () => {
    const buf = encodeWriteRequest({ timeseries: [ts('x', 1)], tenant: 'a', replica: 0, timeseriesTenantData: [] });
    expect(() => parseForwardedRequest(buf.subarray(0, buf.length - 5))).toThrow(ForwardedRequestError);
  });
});
