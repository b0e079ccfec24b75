// The `metadata` entries of a remote-write WriteRequest (Prometheus sends them in their own
// requests, every `metadata_config.send_interval`). Only called for requests that carry
// some (`WriteRequestView.metadataCount`), after the main decoder has checked the structure.
import { ProtoReader, WIRE_LEN, WIRE_VARINT } from './proto-reader';

/** `prometheus.MetricMetadata` with its type as Prometheus's API spells it ("counter", ...). */
export interface MetricMetadataEntry {
  type: string;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** Names of `prometheus.MetricMetadata.MetricType` values, as `/api/v1/metadata` shows them. */
export const METRIC_TYPE_NAMES = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
] as const;

const TAG_METADATA = (3 << 3) | WIRE_LEN;
const utf8 = new TextDecoder();

export function decodeWriteRequestMetadata(buf: Uint8Array): MetricMetadataEntry[] {
  const r = new ProtoReader(buf);
  const out: MetricMetadataEntry[] = [];
  while (r.pos < buf.length) {
    const tag = r.tag(buf.length);
    if (tag !== TAG_METADATA) {
      r.skip(tag % 8, buf.length);
      continue;
    }
    const len = r.length(buf.length);
    const end = r.pos + len;
    out.push(metricMetadata(r, end));
    r.pos = end;
  }
  return out;
}

function metricMetadata(r: ProtoReader, end: number): MetricMetadataEntry {
  const entry: MetricMetadataEntry = { type: 'unknown', metricFamilyName: '', help: '', unit: '' };
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    if (field === 1 && tag % 8 === WIRE_VARINT) {
      entry.type = METRIC_TYPE_NAMES[r.varint(end)] ?? 'unknown';
    } else if ((field === 2 || field === 4 || field === 5) && tag % 8 === WIRE_LEN) {
      const len = r.length(end);
      const text = utf8.decode(r.buf.subarray(r.pos, r.pos + len));
      r.pos += len;
      if (field === 2) entry.metricFamilyName = text;
      else if (field === 4) entry.help = text;
      else entry.unit = text;
    } else {
      r.skip(tag % 8, end);
    }
  }
  return entry;
}
