// Codecs of `thanos.Metadata/MetricMetadata` (proto/metadata/metadatapb/rpc.proto).
import type { MetricMeta, MetricMetadataRequest, MetricMetadataResponse } from '../types';
import { messageCodec } from './message-codec';

interface MetricMetadataResponseWire {
  metadata?: { metadata: Record<string, { metas: MetricMeta[] }> };
  warning?: string;
}

export const metricMetadataRequestCodec = messageCodec<MetricMetadataRequest>('thanos.MetricMetadataRequest');
const responseWireCodec = messageCodec<MetricMetadataResponseWire>('thanos.MetricMetadataResponse');

export const metricMetadataResponseCodec = {
  encode(resp: MetricMetadataResponse): Buffer {
    if (resp.type === 'warning') return responseWireCodec.encode({ warning: resp.warning });
    const metadata = Object.fromEntries(Object.entries(resp.metadata).map(([name, metas]) => [name, { metas }]));
    return responseWireCodec.encode({ metadata: { metadata } });
  },
  decode(buf: Uint8Array): MetricMetadataResponse {
    const wire = responseWireCodec.decode(buf);
    if (!wire.metadata) return { type: 'warning', warning: wire.warning ?? '' };
    const entries = Object.entries(wire.metadata.metadata ?? {});
    return { type: 'metadata', metadata: Object.fromEntries(entries.map(([name, e]) => [name, e.metas ?? []])) };
  },
};
