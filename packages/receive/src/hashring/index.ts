export type { Endpoint, Hashring, HashringAlgorithm, Label } from './types';
export { HASHRING_ALGORITHMS, endpointHasAddress } from './types';
export {
  GlobPatternError,
  HashringConfigError,
  InsufficientNodesError,
  NoMatchingHashringError,
  ReplicaOutOfRangeError,
} from './errors';
export { createSeriesHasher } from './hasher';
export type { SeriesHasher } from './hasher';
export { HashmodHashring } from './hashmod';
export { KetamaHashring, KETAMA_SECTIONS_PER_NODE } from './ketama';
export { SingleNodeHashring } from './single-node';
export { GlobPattern } from './glob';
export { parseHashringsConfig, DEFAULT_CAPNPROTO_PORT } from './config';
export type {
  HashringConfig,
  ParsedHashrings,
  ShuffleShardingConfig,
  ShuffleShardingOverride,
  TenantMatcherType,
} from './config';
export { MultiHashring } from './multi';
export type { HashringBuildOptions } from './multi';
export { loadHashrings } from './load';
export type { LoadedHashrings } from './load';
export { HashringsFileWatcher, DEFAULT_HASHRINGS_REFRESH_INTERVAL_MS } from './watcher';
export type { HashringsFileWatcherOptions, HashringsUpdate } from './watcher';
export { determineReceiveMode } from './mode';
export type { ReceiveMode, ReceiveModeFlags } from './mode';
