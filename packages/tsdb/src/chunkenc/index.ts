export { EncNone, EncXOR, EncHistogram, EncFloatHistogram, encodingName, chunkNumSamples } from './chunk';
export type { Chunk } from './chunk';
export { BitReader, BitWriter } from './bstream';
export { XorChunkEncoder, XorChunkIterator, UnsupportedChunkEncodingError, chunkIterator } from './xor';
export { decodeXorInto } from './xor-decode';
export { floatHiBits, floatLoBits, floatFromBits, isStaleNaNBits, STALE_NAN_HI, STALE_NAN_LO } from './float-bits';
export {
  ChunkCutter,
  SeriesChunkBuilder,
  computeChunkEndTime,
  rangeForTimestamp,
  SAMPLES_PER_CHUNK,
  DEFAULT_CHUNK_RANGE,
} from './cutter';
export type { BuiltChunk } from './cutter';
