export {
  INDEX_MAGIC,
  INDEX_FORMAT_V2,
  INDEX_TOC_LEN,
  SERIES_ALIGNMENT,
  ALL_POSTINGS_NAME,
  ALL_POSTINGS_VALUE,
} from './format';
export type { ChunkMeta, IndexToc } from './format';
export type { SeriesEntry } from './decoder';
export { IndexWriter, collectSymbols, buildIndex } from './writer';
export { IndexWriterError } from './encoder';
export { MemoryIndexSink, FileIndexSink } from './sink';
export type { IndexSink } from './sink';
export { IndexReader } from './reader';
export { intersectPostings, mergePostings, withoutPostings } from './postings';
export { postingsForMatchers, labelValuesForMatchers } from './query';
export type { PostingsReader } from './query';
