export {
  CHUNKS_MAGIC,
  CHUNKS_FORMAT_V1,
  SEGMENT_HEADER_SIZE,
  DEFAULT_SEGMENT_SIZE,
  packChunkRef,
  chunkRefSegment,
  chunkRefOffset,
  segmentFileName,
  walkChunkSegment,
  decodeChunkBody,
} from './format';
export type { SegmentChunk } from './format';
export { ChunkSegmentWriter } from './writer';
export type { ChunkSegmentWriterOptions } from './writer';
export { ChunkSegmentReader, listSegmentFiles } from './reader';
