export { RecordType } from './types';
export type { RecordTypeValue, RefSeries, Tombstone, RefMetadata } from './types';
export { SampleBatch, ExemplarBatch } from './sample-batch';
export {
  encodeSeries,
  encodeSeriesKeys,
  encodeSamples,
  encodeTombstones,
  encodeExemplars,
  encodeMetadata,
} from './encoder';
export {
  recordType,
  decodeSeries,
  forEachSeries,
  decodeSamples,
  decodeTombstones,
  decodeExemplars,
  decodeMetadata,
} from './decoder';
export type { SeriesVisitor } from './decoder';
