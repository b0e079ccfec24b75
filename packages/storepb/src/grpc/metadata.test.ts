import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfoResponse, MetricMetadataMap } from '../types';
import { loadUpstreamProtoRoot } from '../proto/upstream';
import { metricMetadataResponseCodec } from '../wire/metadata-codec';
import { GrpcStatus, StoreClientError } from './errors';
import { StoreClient } from './client';
import { createStoreServer, type StoreServer } from './server';

const info: InfoResponse = { labelSets: [], componentType: 'receive' };
const METADATA: MetricMetadataMap = {
  http_requests_total: [{ type: 'counter', help: 'Requests served.', unit: '' }],
  temperature: [
    { type: 'gauge', help: 'Room temperature.', unit: 'celsius' },
    { type: 'gauge', help: 'Temperature.', unit: 'celsius' },
  ],
};

describe('thanos.Metadata/MetricMetadata', () => {
  let withMetadata: StoreServer;
  let without: StoreServer;
  const seen: Array<{ metric: string; limit: number }> = [];
  beforeAll(async () => {
    withMetadata = createStoreServer({
      info: { info: () => info },
      metadata: {
        metricMetadata: (req) => {
          seen.push({ metric: req.metric, limit: req.limit });
          return req.metric ? { [req.metric]: METADATA[req.metric] ?? [] } : METADATA;
        },
      },
    });
    without = createStoreServer({ info: { info: () => info } });
    await withMetadata.listen('127.0.0.1:0');
    await without.listen('127.0.0.1:0');
  });
  afterAll(async () => {
    await withMetadata.stop();
    await without.stop();
  });

  it('encodes the response as the upstream proto declares it (a map of entries)', () => {
    const upstream = loadUpstreamProtoRoot().lookupType('thanos.MetricMetadataResponse');
    const bytes = metricMetadataResponseCodec.encode({ type: 'metadata', metadata: METADATA });
    const decoded = upstream.toObject(upstream.decode(bytes)) as {
      metadata: { metadata: Record<string, { metas: unknown[] }> };
    };
    expect(decoded.metadata.metadata.temperature.metas).toEqual(METADATA.temperature);
    expect(metricMetadataResponseCodec.decode(bytes)).toEqual({ type: 'metadata', metadata: METADATA });
    const warning = metricMetadataResponseCodec.encode({ type: 'warning', warning: 'store x down' });
    expect(metricMetadataResponseCodec.decode(warning)).toEqual({ type: 'warning', warning: 'store x down' });
  });

  it('serves metadata over gRPC, passing the metric filter and limit through', async () => {
    const client = new StoreClient(withMetadata.address);
    try {
      const all = await client.metricMetadata({ metric: '', limit: 0, partialResponseStrategy: 0 });
      expect(all).toEqual({ metadata: METADATA, warnings: [] });
      const one = await client.metricMetadata({ metric: 'temperature', limit: 5, partialResponseStrategy: 0 });
      expect(one.metadata).toEqual({ temperature: METADATA.temperature });
      expect(seen.at(-1)).toEqual({ metric: 'temperature', limit: 5 });
    } finally {
      client.close();
    }
  });

  it('advertises the Metadata service in Info only where it is served', async () => {
    const [served, absent] = [new StoreClient(withMetadata.address), new StoreClient(without.address)];
    try {
      expect((await served.info()).metricMetadata).toEqual({});
      expect((await absent.info()).metricMetadata).toBeUndefined();
    } finally {
      served.close();
      absent.close();
    }
  });

  it('answers UNIMPLEMENTED where the server has no metadata', async () => {
    const client = new StoreClient(without.address);
    try {
      const err = await client.metricMetadata({ metric: '', limit: 0, partialResponseStrategy: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(StoreClientError);
      expect((err as StoreClientError).code).toBe(GrpcStatus.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });
});
