/** A label pair as strings. */
export interface Label {
  name: string;
  value: string;
}

/** The typed-array columns a decoded WriteRequest is made of (see {@link WriteRequestView}). */
export interface WriteRequestColumns {
  buffer: Uint8Array;
  seriesCount: number;
  seriesLabelStart: Uint32Array;
  seriesSampleStart: Uint32Array;
  seriesExemplarStart: Uint32Array;
  seriesHistogramStart: Uint32Array;
  seriesByteRange: Uint32Array;
  labelRefs: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
  exemplarLabelStart: Uint32Array;
  exemplarLabelRefs: Uint32Array;
  exemplarTimestamps: Float64Array;
  exemplarValues: Float64Array;
  histogramByteRange: Uint32Array;
  metadataCount: number;
}

/**
 * A decoded `prometheus.WriteRequest` laid out in columns, without an object per sample or label.
 *
 * - Series `s` owns labels `seriesLabelStart[s] .. seriesLabelStart[s+1]`, samples
 *   `seriesSampleStart[s] .. seriesSampleStart[s+1]`, and likewise exemplars and histograms
 *   (all `*Start` arrays have `seriesCount + 1` entries).
 * - `labelRefs` holds 4 byte offsets into `buffer` per label: name start, name end, value start, value end.
 *   Strings are decoded only when asked for (`labelName`, `labelValue`, `seriesLabels`); they were
 *   checked to be valid UTF-8 during decoding.
 * - `values` keep the exact bit pattern of every sample (stale markers, NaN payloads, -0).
 *   `timestamps` are integer milliseconds (exact; the decoder rejects values beyond ±(2^53-1)).
 * - `seriesByteRange` holds [start, end) of each TimeSeries message in `buffer`, so a subset of the
 *   series can be forwarded without re-encoding (`encodeWriteRequestFromView`).
 * - Histograms are not decoded: `histogramByteRange` holds [start, end) of each Histogram message.
 * - Metadata entries are only counted.
 *
 * The view references `buffer`; do not modify it while the view is in use.
 */
export class WriteRequestView implements WriteRequestColumns {
  readonly buffer: Uint8Array;
  readonly seriesCount: number;
  readonly seriesLabelStart: Uint32Array;
  readonly seriesSampleStart: Uint32Array;
  readonly seriesExemplarStart: Uint32Array;
  readonly seriesHistogramStart: Uint32Array;
  readonly seriesByteRange: Uint32Array;
  readonly labelRefs: Uint32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplarLabelStart: Uint32Array;
  readonly exemplarLabelRefs: Uint32Array;
  readonly exemplarTimestamps: Float64Array;
  readonly exemplarValues: Float64Array;
  readonly histogramByteRange: Uint32Array;
  readonly metadataCount: number;
  /** A DataView over `buffer`, for word-wise reads. */
  readonly dataView: DataView;
  private readonly text: Buffer;

  constructor(columns: WriteRequestColumns) {
    this.buffer = columns.buffer;
    this.seriesCount = columns.seriesCount;
    this.seriesLabelStart = columns.seriesLabelStart;
    this.seriesSampleStart = columns.seriesSampleStart;
    this.seriesExemplarStart = columns.seriesExemplarStart;
    this.seriesHistogramStart = columns.seriesHistogramStart;
    this.seriesByteRange = columns.seriesByteRange;
    this.labelRefs = columns.labelRefs;
    this.timestamps = columns.timestamps;
    this.values = columns.values;
    this.exemplarLabelStart = columns.exemplarLabelStart;
    this.exemplarLabelRefs = columns.exemplarLabelRefs;
    this.exemplarTimestamps = columns.exemplarTimestamps;
    this.exemplarValues = columns.exemplarValues;
    this.histogramByteRange = columns.histogramByteRange;
    this.metadataCount = columns.metadataCount;
    this.dataView = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.text = Buffer.from(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  get sampleCount(): number {
    return this.values.length;
  }

  get exemplarCount(): number {
    return this.exemplarValues.length;
  }

  get histogramCount(): number {
    return this.histogramByteRange.length / 2;
  }

  get labelCount(): number {
    return this.labelRefs.length / 4;
  }

  /** Name of label `i` (index into the flat label table, see `seriesLabelStart`). */
  labelName(i: number): string {
    return this.text.toString('utf8', this.labelRefs[4 * i], this.labelRefs[4 * i + 1]);
  }

  labelValue(i: number): string {
    return this.text.toString('utf8', this.labelRefs[4 * i + 2], this.labelRefs[4 * i + 3]);
  }

  /** The labels of series `s` in the order they were sent (not sorted, empty values kept). */
  seriesLabels(s: number): Label[] {
    return this.labelList(this.labelRefs, this.seriesLabelStart[s], this.seriesLabelStart[s + 1]);
  }

  exemplarLabels(e: number): Label[] {
    return this.labelList(this.exemplarLabelRefs, this.exemplarLabelStart[e], this.exemplarLabelStart[e + 1]);
  }

  /** The encoded TimeSeries message of series `s` (a view into `buffer`). */
  seriesBytes(s: number): Uint8Array {
    return this.buffer.subarray(this.seriesByteRange[2 * s], this.seriesByteRange[2 * s + 1]);
  }

  /** The encoded `prometheus.Histogram` message number `h` (a view into `buffer`). */
  histogramBytes(h: number): Uint8Array {
    return this.buffer.subarray(this.histogramByteRange[2 * h], this.histogramByteRange[2 * h + 1]);
  }

  private labelList(refs: Uint32Array, from: number, to: number): Label[] {
    const out: Label[] = [];
    for (let i = from; i < to; i++) {
      out.push({
        name: this.text.toString('utf8', refs[4 * i], refs[4 * i + 1]),
        value: this.text.toString('utf8', refs[4 * i + 2], refs[4 * i + 3]),
      });
    }
    return out;
  }
}
