export { RecordType } from './types';
export type { RecordTypeValue, RefSeries, Tombstone, RefMetadata } from './types';
export { SampleBatch, ExemplarBatch } from './sample-batch';
export { encodeSeries, encodeSamples, encodeTombstones, encodeExemplars, encodeMetadata } from './encoder';
export { recordType, decodeSeries, decodeSamples, decodeTombstones, decodeExemplars, decodeMetadata } from './decoder';
