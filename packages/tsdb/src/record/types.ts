import type { Labels } from '../labels';

/** The first byte of every (decompressed) WAL record, as Prometheus's `record.Type`. */
export const RecordType = {
  Series: 1,
  Samples: 2,
  Tombstones: 3,
  Exemplars: 4,
  MmapMarkers: 5,
  Metadata: 6,
  HistogramSamples: 7,
  FloatHistogramSamples: 8,
  /** What `recordType` returns for an empty record or a type byte Prometheus 2.42 does not know. */
  Unknown: 255,
} as const;

export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType];

/** A series announced in the WAL: its head reference and its (sorted) labels. */
export interface RefSeries {
  ref: number;
  labels: Labels;
}

/** One deleted interval `[mint, maxt]` (inclusive) of one series. */
export interface Tombstone {
  ref: number;
  mint: number;
  maxt: number;
}

/** Metric metadata as in Prometheus's `record.RefMetadata`; `type` is the metric type byte (0 unknown … 7 stateset). */
export interface RefMetadata {
  ref: number;
  type: number;
  unit: string;
  help: string;
}
