import { SampleColumns, U32Column } from './columns';
import { isAscii, ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './proto-reader';
import { decompressSnappyBlock, DEFAULT_MAX_DECODED_BYTES } from './snappy';
import { WriteRequestView } from './write-request-view';

// Tags (field number << 3 | wire type) of the fields we decode.
const TAG_TIMESERIES = (1 << 3) | WIRE_LEN;
const TAG_LABELS = (1 << 3) | WIRE_LEN;
const TAG_SAMPLES = (2 << 3) | WIRE_LEN;
const TAG_EXEMPLARS = (3 << 3) | WIRE_LEN;
const TAG_HISTOGRAMS = (4 << 3) | WIRE_LEN;
const TAG_METADATA = (3 << 3) | WIRE_LEN;
const TAG_LABEL_NAME = (1 << 3) | WIRE_LEN;
const TAG_LABEL_VALUE = (2 << 3) | WIRE_LEN;
const TAG_SAMPLE_VALUE = (1 << 3) | WIRE_FIXED64;
const TAG_SAMPLE_TIMESTAMP = (2 << 3) | WIRE_VARINT;
const TAG_EXEMPLAR_VALUE = (2 << 3) | WIRE_FIXED64;
const TAG_EXEMPLAR_TIMESTAMP = (3 << 3) | WIRE_VARINT;

/** Column sizes found by a quick pre-scan, so that the columns are allocated once at their final size. */
interface ColumnCounts {
  series: number;
  labels: number;
  samples: number;
}

/**
 * Counts series, labels and samples by hopping over length-delimited fields (two levels deep, nothing
 * decoded). It gives up silently at the first surprise: the counts are only capacity hints, the parser
 * grows its columns beyond them if needed and reports malformed input itself.
 */
function countColumns(buf: Uint8Array): ColumnCounts {
  const counts = { series: 0, labels: 0, samples: 0 };
  const end = buf.length;
  let p = 0;
  while (p < end) {
    const tag = buf[p];
    const next = skipLengthDelimited(buf, p, end);
    if (next < 0) break;
    if (tag === TAG_TIMESERIES) {
      counts.series++;
      // the series' fields lie between its length prefix and `next`
      let q = next - seriesBodyLength(buf, p);
      while (q < next) {
        const fieldTag = buf[q];
        q = skipLengthDelimited(buf, q, next);
        if (q < 0) break;
        if (fieldTag === TAG_LABELS) counts.labels++;
        else if (fieldTag === TAG_SAMPLES) counts.samples++;
      }
    }
    p = next;
  }
  return counts;
}

/**
 * Offset after the wire-type-2 field whose one-byte tag is at `p` (length prefix of at most 3 bytes),
 * or -1 when the field is anything else or does not fit before `end`.
 */
function skipLengthDelimited(buf: Uint8Array, p: number, end: number): number {
  if ((buf[p] & 0x87) !== WIRE_LEN) return -1;
  let len = 0;
  let q = p + 1;
  for (let shift = 0; ; shift += 7) {
    if (q >= end || shift > 14) return -1;
    const b = buf[q++];
    len |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return len <= end - q ? q + len : -1;
}

/** Length of the field at `p`, already validated by {@link skipLengthDelimited}. */
function seriesBodyLength(buf: Uint8Array, p: number): number {
  let len = 0;
  for (let q = p + 1, shift = 0; ; shift += 7) {
    const b = buf[q++];
    len |= (b & 0x7f) << shift;
    if (b < 0x80) return len;
  }
}

/** Decodes a serialized (uncompressed) `prometheus.WriteRequest` into a columnar view. */
export function decodeWriteRequest(body: Uint8Array): WriteRequestView {
  // Buffers (HTTP bodies, native snappy output) are re-viewed as plain Uint8Arrays: keeping one array
  // shape keeps the parser's element accesses monomorphic.
  const bytes = body.constructor === Uint8Array ? body : new Uint8Array(body.buffer, body.byteOffset, body.length);
  return new WriteRequestParser(bytes).parse();
}

/** Snappy-decompresses a remote_write HTTP body (bounded by `maxDecodedBytes`) and decodes it. */
export function decodeRemoteWriteBody(body: Uint8Array, maxDecodedBytes = DEFAULT_MAX_DECODED_BYTES): WriteRequestView {
  return decodeWriteRequest(decompressSnappyBlock(body, maxDecodedBytes));
}

class WriteRequestParser {
  private readonly r: ProtoReader;
  private readonly seriesLabelStart: U32Column;
  private readonly seriesSampleStart: U32Column;
  private readonly seriesExemplarStart: U32Column;
  private readonly seriesHistogramStart: U32Column;
  private readonly seriesByteRange: U32Column;
  private readonly labelRefs: U32Column;
  private readonly samples: SampleColumns;
  private readonly exemplarLabelStart = new U32Column(4);
  private readonly exemplarLabelRefs = new U32Column(4);
  private readonly exemplars = new SampleColumns(4);
  private readonly histogramByteRange = new U32Column(4);
  private metadataCount = 0;

  constructor(private readonly buf: Uint8Array) {
    this.r = new ProtoReader(buf);
    const counts = countColumns(buf);
    const series = counts.series + 1;
    this.seriesLabelStart = new U32Column(series);
    this.seriesSampleStart = new U32Column(series);
    this.seriesExemplarStart = new U32Column(series);
    this.seriesHistogramStart = new U32Column(series);
    this.seriesByteRange = new U32Column(2 * series);
    this.labelRefs = new U32Column(4 * counts.labels);
    this.samples = new SampleColumns(counts.samples);
  }

  parse(): WriteRequestView {
    const r = this.r;
    const end = this.buf.length;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_TIMESERIES) {
        const len = r.length(end);
        this.timeSeries(r.pos, r.pos + len);
      } else if (tag === TAG_METADATA) {
        const len = r.length(end);
        r.skipMessage(r.pos + len, 'MetricMetadata');
        this.metadataCount++;
      } else {
        const field = r.fieldNumber(tag, 'WriteRequest', at);
        if (field === 1) r.wrongWireType(tag % 8, 'Timeseries', at);
        if (field === 3) r.wrongWireType(tag % 8, 'Metadata', at);
        r.skip(tag % 8, end);
      }
    }
    return this.finish();
  }

  private finish(): WriteRequestView {
    const seriesCount = this.seriesByteRange.length / 2;
    this.seriesLabelStart.push(this.labelRefs.length / 4);
    this.seriesSampleStart.push(this.samples.length);
    this.seriesExemplarStart.push(this.exemplars.length);
    this.seriesHistogramStart.push(this.histogramByteRange.length / 2);
    this.exemplarLabelStart.push(this.exemplarLabelRefs.length / 4);
    return new WriteRequestView({
      buffer: this.buf,
      seriesCount,
      seriesLabelStart: this.seriesLabelStart.done(),
      seriesSampleStart: this.seriesSampleStart.done(),
      seriesExemplarStart: this.seriesExemplarStart.done(),
      seriesHistogramStart: this.seriesHistogramStart.done(),
      seriesByteRange: this.seriesByteRange.done(),
      labelRefs: this.labelRefs.done(),
      timestamps: this.samples.doneTimestamps(),
      values: this.samples.values(),
      exemplarLabelStart: this.exemplarLabelStart.done(),
      exemplarLabelRefs: this.exemplarLabelRefs.done(),
      exemplarTimestamps: this.exemplars.doneTimestamps(),
      exemplarValues: this.exemplars.values(),
      histogramByteRange: this.histogramByteRange.done(),
      metadataCount: this.metadataCount,
    });
  }

  private timeSeries(start: number, end: number): void {
    const r = this.r;
    this.seriesByteRange.push2(start, end);
    this.seriesLabelStart.push(this.labelRefs.length / 4);
    this.seriesSampleStart.push(this.samples.length);
    this.seriesExemplarStart.push(this.exemplars.length);
    this.seriesHistogramStart.push(this.histogramByteRange.length / 2);
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_SAMPLES) {
        const len = r.length(end);
        this.sample(r.pos + len);
      } else if (tag === TAG_LABELS) {
        const len = r.length(end);
        this.label(this.labelRefs, r.pos + len);
      } else if (tag === TAG_EXEMPLARS) {
        const len = r.length(end);
        this.exemplar(r.pos + len);
      } else if (tag === TAG_HISTOGRAMS) {
        const len = r.length(end);
        this.histogramByteRange.push2(r.pos, r.pos + len);
        r.skipMessage(r.pos + len, 'Histogram');
      } else {
        const field = r.fieldNumber(tag, 'TimeSeries', at);
        if (field <= 4) r.wrongWireType(tag % 8, ['Labels', 'Samples', 'Exemplars', 'Histograms'][field - 1], at);
        r.skip(tag % 8, end);
      }
    }
  }

  private label(refs: U32Column, end: number): void {
    if (this.compactAsciiLabel(refs, end)) return;
    const r = this.r;
    let nameStart = 0;
    let nameEnd = 0;
    let valueStart = 0;
    let valueEnd = 0;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_LABEL_NAME) {
        const len = r.length(end);
        nameStart = r.pos;
        nameEnd = r.pos += len;
      } else if (tag === TAG_LABEL_VALUE) {
        const len = r.length(end);
        valueStart = r.pos;
        valueEnd = r.pos += len;
      } else {
        const field = r.fieldNumber(tag, 'Label', at);
        if (field <= 2) r.wrongWireType(tag % 8, field === 1 ? 'Name' : 'Value', at);
        r.skip(tag % 8, end);
      }
    }
    r.checkUtf8(nameStart, nameEnd, 'label name');
    r.checkUtf8(valueStart, valueEnd, 'label value');
    refs.push4(nameStart, nameEnd, valueStart, valueEnd);
  }

  /**
   * Fast path for the usual label encoding, `0a <len> name 12 <len> value` with short ASCII strings;
   * returns false (consuming nothing) for anything else.
   */
  private compactAsciiLabel(refs: U32Column, end: number): boolean {
    const buf = this.buf;
    const p = this.r.pos;
    if (buf[p] !== TAG_LABEL_NAME) return false;
    const nameStart = p + 2;
    const nameEnd = nameStart + buf[p + 1];
    if (buf[p + 1] >= 0x80 || nameEnd + 1 >= end || buf[nameEnd] !== TAG_LABEL_VALUE) return false;
    const valueStart = nameEnd + 2;
    const valueEnd = valueStart + buf[nameEnd + 1];
    // a length byte >= 0x80 or a non-ASCII string byte makes isAscii fail
    if (valueEnd !== end || !isAscii(buf, p, end)) return false;
    refs.push4(nameStart, nameEnd, valueStart, valueEnd);
    this.r.pos = end;
    return true;
  }

  private sample(end: number): void {
    const r = this.r;
    const buf = this.buf;
    let valueOffset = -1;
    let timestamp = 0;
    // usual encoding: 09 <8 bytes> 10 <varint>
    const p = r.pos;
    if (buf[p] === TAG_SAMPLE_VALUE && buf[p + 9] === TAG_SAMPLE_TIMESTAMP && end - p > 10) {
      valueOffset = p + 1;
      r.pos = p + 10;
      timestamp = r.int64(end, 'sample timestamp');
    }
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_SAMPLE_VALUE) {
        valueOffset = r.fixed64(end);
      } else if (tag === TAG_SAMPLE_TIMESTAMP) {
        timestamp = r.int64(end, 'sample timestamp');
      } else {
        const field = r.fieldNumber(tag, 'Sample', at);
        if (field <= 2) r.wrongWireType(tag % 8, field === 1 ? 'Value' : 'Timestamp', at);
        r.skip(tag % 8, end);
      }
    }
    this.samples.push(r.view, valueOffset, timestamp);
  }

  private exemplar(end: number): void {
    const r = this.r;
    let valueOffset = -1;
    let timestamp = 0;
    this.exemplarLabelStart.push(this.exemplarLabelRefs.length / 4);
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_LABELS) {
        const len = r.length(end);
        this.label(this.exemplarLabelRefs, r.pos + len);
      } else if (tag === TAG_EXEMPLAR_VALUE) {
        valueOffset = r.fixed64(end);
      } else if (tag === TAG_EXEMPLAR_TIMESTAMP) {
        timestamp = r.int64(end, 'exemplar timestamp');
      } else {
        const field = r.fieldNumber(tag, 'Exemplar', at);
        if (field <= 3) r.wrongWireType(tag % 8, ['Labels', 'Value', 'Timestamp'][field - 1], at);
        r.skip(tag % 8, end);
      }
    }
    this.exemplars.push(r.view, valueOffset, timestamp);
  }
}
