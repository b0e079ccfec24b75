import { int64Size, lengthDelimitedSize, ProtoWriter, utf8Length, varintSize } from './proto-writer';
import type { Label, WriteRequestView } from './write-request-view';

/** `prometheus.MetricMetadata.MetricType`. */
export const MetricType = {
  UNKNOWN: 0,
  COUNTER: 1,
  GAUGE: 2,
  HISTOGRAM: 3,
  GAUGEHISTOGRAM: 4,
  SUMMARY: 5,
  INFO: 6,
  STATESET: 7,
} as const;

export interface ExemplarInput {
  labels: readonly Label[];
  value: number;
  timestamp: number;
}

export interface TimeSeriesInput {
  labels: readonly Label[];
  /** Sample timestamps in ms (safe integers), parallel to `values`. */
  timestamps?: ArrayLike<number>;
  /** Sample values; their bytes are copied verbatim, so NaN payloads and -0 survive. */
  values?: Float64Array;
  exemplars?: readonly ExemplarInput[];
  /** Already-encoded `prometheus.Histogram` messages (e.g. from `WriteRequestView.histogramBytes`). */
  histograms?: readonly Uint8Array[];
}

export interface MetricMetadataInput {
  type?: number;
  metricFamilyName: string;
  help?: string;
  unit?: string;
}

export interface WriteRequestInput {
  timeseries: readonly TimeSeriesInput[];
  metadata?: readonly MetricMetadataInput[];
}

const TAG_FIELD1_LEN = 0x0a;
const TAG_FIELD2_LEN = 0x12;
const TAG_FIELD3_LEN = 0x1a;
const TAG_FIELD4_LEN = 0x22;
const TAG_FIELD5_LEN = 0x2a;
const TAG_FIELD1_VARINT = 0x08;
const TAG_FIELD1_FIXED64 = 0x09;
const TAG_FIELD2_FIXED64 = 0x11;
const TAG_FIELD2_VARINT = 0x10;
const TAG_FIELD3_VARINT = 0x18;

/**
 * Serializes a `prometheus.WriteRequest` the way Go's gogo-protobuf marshaller does: fields in ascending
 * number order, empty strings and zero scalars omitted. One deliberate difference: a sample or exemplar
 * value is omitted only when it is +0 (all bits zero); -0 is written, so its sign survives the trip.
 */
export function encodeWriteRequest(request: WriteRequestInput): Uint8Array {
  const sizes = new SizeQueue();
  let total = 0;
  for (const series of request.timeseries) total += lengthDelimitedSize(sizeSeries(sizes, series));
  for (const m of request.metadata ?? []) total += lengthDelimitedSize(sizeMetadata(sizes, m));
  const w = new ProtoWriter(total);
  for (const series of request.timeseries) writeSeries(w, sizes, series);
  for (const m of request.metadata ?? []) writeMetadata(w, sizes, m);
  return w.buf;
}

/**
 * Builds a WriteRequest holding the given series of a decoded request, copying each TimeSeries message
 * verbatim (no re-encoding); metadata is not carried over. Used to forward a request's series in parts.
 */
export function encodeWriteRequestFromView(view: WriteRequestView, seriesIndices: ArrayLike<number>): Uint8Array {
  let total = 0;
  for (let i = 0; i < seriesIndices.length; i++) total += lengthDelimitedSize(seriesLength(view, seriesIndices[i]));
  const w = new ProtoWriter(total);
  for (let i = 0; i < seriesIndices.length; i++) {
    const s = seriesIndices[i];
    w.byte(TAG_FIELD1_LEN);
    w.varint(seriesLength(view, s));
    w.bytes(view.seriesBytes(s));
  }
  return w.buf;
}

function seriesLength(view: WriteRequestView, s: number): number {
  return view.seriesByteRange[2 * s + 1] - view.seriesByteRange[2 * s];
}

/**
 * Message sizes and string byte lengths, recorded by the sizing pass in exactly the order the writing pass
 * needs them, so that each string is measured once and each length prefix is known when written.
 */
class SizeQueue {
  private readonly items: number[] = [];
  private cursor = 0;

  push(n: number): number {
    this.items.push(n);
    return n;
  }

  /** Reserves a slot for a message size that is known only after its fields have been sized. */
  reserve(): number {
    this.items.push(0);
    return this.items.length - 1;
  }

  fill(slot: number, n: number): number {
    this.items[slot] = n;
    return n;
  }

  next(): number {
    return this.items[this.cursor++];
  }
}

function sizeSeries(sizes: SizeQueue, series: TimeSeriesInput): number {
  const slot = sizes.reserve();
  let size = sizeLabels(sizes, series.labels);
  const n = series.values?.length ?? 0;
  if (n !== (series.timestamps?.length ?? 0)) {
    throw new RangeError(`series has ${n} values but ${series.timestamps?.length ?? 0} timestamps`);
  }
  if (n > 0) {
    const words = valueWords(series.values!);
    const ts = series.timestamps!;
    for (let i = 0; i < n; i++) {
      const sampleSize = (words[2 * i] | words[2 * i + 1] ? 9 : 0) + (ts[i] !== 0 ? 1 + int64Size(ts[i]) : 0);
      size += lengthDelimitedSize(sizes.push(sampleSize));
    }
  }
  for (const e of series.exemplars ?? []) {
    const exemplarSlot = sizes.reserve();
    const exemplarSize =
      sizeLabels(sizes, e.labels) +
      (isPositiveZero(e.value) ? 0 : 9) +
      (e.timestamp !== 0 ? 1 + int64Size(e.timestamp) : 0);
    size += lengthDelimitedSize(sizes.fill(exemplarSlot, exemplarSize));
  }
  for (const h of series.histograms ?? []) size += lengthDelimitedSize(h.length);
  return sizes.fill(slot, size);
}

function writeSeries(w: ProtoWriter, sizes: SizeQueue, series: TimeSeriesInput): void {
  w.byte(TAG_FIELD1_LEN);
  w.varint(sizes.next());
  writeLabels(w, sizes, series.labels);
  const values = series.values;
  if (values && values.length > 0) {
    const words = valueWords(values);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const ts = series.timestamps!;
    for (let i = 0; i < values.length; i++) {
      w.byte(TAG_FIELD2_LEN);
      w.varint(sizes.next());
      if (words[2 * i] | words[2 * i + 1]) {
        w.byte(TAG_FIELD1_FIXED64);
        w.raw8(bytes, 8 * i);
      }
      if (ts[i] !== 0) {
        w.byte(TAG_FIELD2_VARINT);
        w.int64(ts[i]);
      }
    }
  }
  for (const e of series.exemplars ?? []) {
    w.byte(TAG_FIELD3_LEN);
    w.varint(sizes.next());
    writeLabels(w, sizes, e.labels);
    if (!isPositiveZero(e.value)) {
      w.byte(TAG_FIELD2_FIXED64);
      w.double(e.value);
    }
    if (e.timestamp !== 0) {
      w.byte(TAG_FIELD3_VARINT);
      w.int64(e.timestamp);
    }
  }
  for (const h of series.histograms ?? []) {
    w.byte(TAG_FIELD4_LEN);
    w.varint(h.length);
    w.bytes(h);
  }
}

function valueWords(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

function isPositiveZero(v: number): boolean {
  return v === 0 && !Object.is(v, -0);
}

/** Size of an optional string field; records the string's byte length for the writer. */
function sizeString(sizes: SizeQueue, s: string): number {
  const len = sizes.push(utf8Length(s));
  return len === 0 ? 0 : lengthDelimitedSize(len);
}

function writeString(w: ProtoWriter, sizes: SizeQueue, tag: number, s: string): void {
  const len = sizes.next();
  if (len === 0) return;
  w.byte(tag);
  w.varint(len);
  w.string(s, len);
}

function sizeLabels(sizes: SizeQueue, labels: readonly Label[]): number {
  let size = 0;
  for (const l of labels) {
    const slot = sizes.reserve();
    size += lengthDelimitedSize(sizes.fill(slot, sizeString(sizes, l.name) + sizeString(sizes, l.value)));
  }
  return size;
}

function writeLabels(w: ProtoWriter, sizes: SizeQueue, labels: readonly Label[]): void {
  for (const l of labels) {
    w.byte(TAG_FIELD1_LEN);
    w.varint(sizes.next());
    writeString(w, sizes, TAG_FIELD1_LEN, l.name);
    writeString(w, sizes, TAG_FIELD2_LEN, l.value);
  }
}

function sizeMetadata(sizes: SizeQueue, m: MetricMetadataInput): number {
  const slot = sizes.reserve();
  const size =
    (m.type ? 1 + varintSize(m.type) : 0) +
    sizeString(sizes, m.metricFamilyName) +
    sizeString(sizes, m.help ?? '') +
    sizeString(sizes, m.unit ?? '');
  return sizes.fill(slot, size);
}

function writeMetadata(w: ProtoWriter, sizes: SizeQueue, m: MetricMetadataInput): void {
  w.byte(TAG_FIELD3_LEN);
  w.varint(sizes.next());
  if (m.type) {
    w.byte(TAG_FIELD1_VARINT);
    w.varint(m.type);
  }
  writeString(w, sizes, TAG_FIELD2_LEN, m.metricFamilyName);
  writeString(w, sizes, TAG_FIELD4_LEN, m.help ?? '');
  writeString(w, sizes, TAG_FIELD5_LEN, m.unit ?? '');
}
