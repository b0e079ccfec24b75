export { Series, SeriesIterator } from './series';
export type { SeriesPart, SampleArrays } from './series';
export { BlockQuerier, HeadQuerier } from './querier';
export type { Querier, BlockQuerierOptions } from './querier';
export { MergeQuerier, mergeSeriesSets } from './merge';
export { nonOverlappingLanes } from './lanes';
export { disjointChunks } from './disjoint';
export { ReadOnlyDb, BlockOpenError, openBlocks, blockDirNames } from './db';
