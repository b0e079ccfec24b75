export * from './types';

export { encodeSeriesResponse, decodeSeriesResponse } from './wire/series-codec';
export { encodeWriteRequest, decodeWriteRequest } from './wire/write-request-codec';
export { ProtoDecodeError } from './wire/proto-reader';
export {
  seriesRequestCodec,
  labelNamesRequestCodec,
  labelNamesResponseCodec,
  labelValuesRequestCodec,
  labelValuesResponseCodec,
  infoResponseCodec,
} from './wire/messages';
export type { MessageCodec } from './wire/message-codec';
export { protoRoot, protoType } from './proto/root';

export { GrpcStatus, StoreApiError, StoreClientError } from './grpc/errors';
export type { HasGrpcStatus } from './grpc/errors';
export { storeService, infoService, writeableStoreService, metadataService, rawUnaryMethod } from './grpc/services';
export { createStoreServer, StoreServer } from './grpc/server';
export type {
  CallContext,
  SeriesSink,
  StoreServerImpl,
  InfoServerImpl,
  WriteableStoreImpl,
  MetadataServerImpl,
  StoreServerOptions,
} from './grpc/server';
export { StoreClient } from './grpc/client';
export { encodeSnappyStream, decodeSnappyStream, SnappyStreamError } from './grpc/snappy-stream';
export type { CallOptions, StoreClientOptions } from './grpc/client';

export { compareUtf8, compareLabels, labelsEqual, sortLabels, labelValue } from './labels/labels';
export {
  InvalidMatcherError,
  toLabelMatcher,
  fromLabelMatcher,
  toLabelMatchers,
  fromLabelMatchers,
  matcherToString,
  compileAnchoredRegex,
  compileMatcher,
  matchLabels,
} from './labels/matchers';
export type { Matcher, MatchType } from './labels/matchers';
export { matchExternalLabels, withExternalLabels, removeLabels } from './labels/external-labels';
export type { ExternalLabelMatch } from './labels/external-labels';

export { mergeSeriesBatches, mergeSeriesSets } from './merge/merge-series';
export type { SeriesSource } from './merge/merge-series';
export { mergeChunks, compareAggrChunks } from './merge/chunk-dedup';

export {
  dedupSamples,
  dedupIterator,
  isCounterFunction,
  ArraySampleIterator,
  CounterAdjustingIterator,
  PenaltyDedupIterator,
} from './dedup/penalty';
export type { SampleSeries, SampleIterator, DedupOptions } from './dedup/penalty';
export { stripReplicaLabels, splitOverlappingChunks, dedupSeriesSet } from './dedup/dedup-series';
export type { LabeledSamples } from './dedup/dedup-series';

export { createSourceStore } from './serve/source-store';
export type { StoreSource, SourceSelect, SourceStoreOptions } from './serve/source-store';

export {
  EncAggr,
  AggrType,
  AGGR_NAMES,
  encodeAggrChunk,
  decodeAggrChunk,
  aggrChunkNumSamples,
  AggrChunkError,
} from './aggr/aggr-chunk';
export type { AggrParts, AggrTypeValue } from './aggr/aggr-chunk';
export { CounterTotal } from './aggr/counter-total';
