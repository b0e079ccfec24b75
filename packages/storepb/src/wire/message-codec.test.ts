import { describe, expect, it } from 'vitest';
import { loadUpstreamProtoRoot } from '../proto/upstream';
import type { InfoResponse, SeriesRequest } from '../types';
import { infoResponseCodec, labelValuesRequestCodec, seriesRequestCodec } from './messages';

const upstream = loadUpstreamProtoRoot();

describe('protobufjs-backed message codecs', () => {
  it('round-trips a full SeriesRequest, open time range as Go MinInt64/MaxInt64 on the wire', () => {
    const req: SeriesRequest = {
      minTime: Number.MIN_SAFE_INTEGER,
      maxTime: Number.MAX_SAFE_INTEGER,
      matchers: [
        { type: 0, name: '__name__', value: 'up' },
        { type: 2, name: 'job', value: 'n.*' },
      ],
      maxResolutionWindow: 300_000,
      aggregates: [1, 2],
      partialResponseDisabled: false,
      partialResponseStrategy: 1,
      skipChunks: true,
      hints: { typeUrl: 'type.googleapis.com/hintspb.SeriesRequestHints', value: Uint8Array.of(16, 1) },
      step: 0,
      range: 0,
      queryHints: {
        stepMillis: 15000,
        func: { name: 'rate' },
        range: { millis: 300000 },
        projectionLabels: [],
        projectionInclude: false,
        seriesHashLabelName: '',
      },
      shardInfo: { shardIndex: 1, totalShards: 4, by: true, labels: ['job'] },
      withoutReplicaLabels: ['replica'],
      limit: 0,
      responseBatchSize: 0,
    };
    const bytes = seriesRequestCodec.encode(req);
    const pb = upstream.lookupType('thanos.SeriesRequest');
    const asPb = pb.toObject(pb.decode(bytes), { longs: String });
    expect(asPb.minTime).toBe('-9223372036854775808');
    expect(asPb.maxTime).toBe('9223372036854775807');
    expect(asPb.hints.type_url).toBe('type.googleapis.com/hintspb.SeriesRequestHints');
    const decoded = seriesRequestCodec.decode(bytes);
    expect({ ...decoded, hints: { ...decoded.hints, value: new Uint8Array(decoded.hints!.value) } }).toEqual(req);
  });

  it('fills proto3 defaults when decoding a sparse request', () => {
    const decoded = labelValuesRequestCodec.decode(labelValuesRequestCodec.encode({ label: 'job', start: 1, end: 2 }));
    expect(decoded).toEqual({
      label: 'job',
      start: 1,
      end: 2,
      partialResponseDisabled: false,
      partialResponseStrategy: 0,
      matchers: [],
      withoutReplicaLabels: [],
      limit: 0,
    });
  });

  it('keeps absent Info sub-messages absent (an absent one means the API is not served)', () => {
    const info: InfoResponse = {
      labelSets: [{ labels: [{ name: 'replica', value: 'a' }] }],
      componentType: 'store',
      store: {
        minTime: 0,
        maxTime: 1000,
        supportsSharding: true,
        supportsWithoutReplicaLabels: true,
        tsdbInfos: [{ labels: { labels: [{ name: 'replica', value: 'a' }] }, minTime: 0, maxTime: 1000 }],
        supportsProjections: false,
      },
      exemplars: { minTime: 5, maxTime: 6 },
    };
    const bytes = infoResponseCodec.encode(info);
    const pb = upstream.lookupType('thanos.info.InfoResponse');
    const asPb = pb.toObject(pb.decode(bytes));
    expect(asPb.ComponentType).toBe('store');
    expect(asPb.rules).toBeUndefined();
    expect(infoResponseCodec.decode(bytes)).toEqual(info);
  });
});
