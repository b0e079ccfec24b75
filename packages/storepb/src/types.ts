// Plain TypeScript shapes of the StoreAPI messages. Field names follow the protobufjs
// camelCase of the upstream .proto field names. int64 fields are JS numbers;
// Number.MIN_SAFE_INTEGER / MAX_SAFE_INTEGER stand for Go's MinInt64 / MaxInt64.

export interface Label {
  name: string;
  value: string;
}

/** `thanos.Chunk.Encoding`. */
export const ChunkEncoding = { XOR: 0, HISTOGRAM: 1, FLOAT_HISTOGRAM: 2 } as const;
export type ChunkEncoding = (typeof ChunkEncoding)[keyof typeof ChunkEncoding];

/** Chunk bytes without the TSDB encoding byte / length prefix. */
export interface Chunk {
  type: number;
  data: Uint8Array;
  /** Optional xxhash64 of `data`; 0n or absent when the store did not compute it. */
  hash?: bigint;
}

export interface AggrChunk {
  minTime: number;
  maxTime: number;
  raw?: Chunk;
  count?: Chunk;
  sum?: Chunk;
  min?: Chunk;
  max?: Chunk;
  counter?: Chunk;
}

export interface Series {
  labels: Label[];
  chunks: AggrChunk[];
}

/** `google.protobuf.Any`. */
export interface AnyMessage {
  typeUrl: string;
  value: Uint8Array;
}

export type SeriesResponse =
  | { type: 'series'; series: Series }
  | { type: 'warning'; warning: string }
  | { type: 'hints'; hints: AnyMessage }
  | { type: 'batch'; batch: Series[] };

/** `thanos.LabelMatcher.Type`. */
export const LabelMatcherType = { EQ: 0, NEQ: 1, RE: 2, NRE: 3 } as const;
export type LabelMatcherType = (typeof LabelMatcherType)[keyof typeof LabelMatcherType];

/** A matcher in its wire form (`thanos.LabelMatcher`). */
export interface LabelMatcher {
  type: LabelMatcherType;
  name: string;
  value: string;
}

/** `thanos.Aggr`. */
export const Aggr = { RAW: 0, COUNT: 1, SUM: 2, MIN: 3, MAX: 4, COUNTER: 5 } as const;
export type Aggr = (typeof Aggr)[keyof typeof Aggr];

/** `thanos.PartialResponseStrategy`. */
export const PartialResponseStrategy = { WARN: 0, ABORT: 1 } as const;
export type PartialResponseStrategy = (typeof PartialResponseStrategy)[keyof typeof PartialResponseStrategy];

export interface QueryHints {
  stepMillis: number;
  func?: { name: string };
  grouping?: { by: boolean; labels: string[] };
  range?: { millis: number };
  projectionLabels: string[];
  projectionInclude: boolean;
  seriesHashLabelName: string;
}

export interface ShardInfo {
  shardIndex: number;
  totalShards: number;
  by: boolean;
  labels: string[];
}

export interface SeriesRequest {
  minTime: number;
  maxTime: number;
  matchers: LabelMatcher[];
  maxResolutionWindow: number;
  aggregates: Aggr[];
  partialResponseDisabled: boolean;
  partialResponseStrategy: PartialResponseStrategy;
  skipChunks: boolean;
  hints?: AnyMessage;
  step: number;
  range: number;
  queryHints?: QueryHints;
  shardInfo?: ShardInfo;
  withoutReplicaLabels: string[];
  limit: number;
  responseBatchSize: number;
}

/** What a caller must give; everything else defaults to the proto3 zero value. */
export type SeriesRequestInit = Pick<SeriesRequest, 'minTime' | 'maxTime' | 'matchers'> & Partial<SeriesRequest>;

export interface LabelNamesRequest {
  partialResponseDisabled: boolean;
  partialResponseStrategy: PartialResponseStrategy;
  start: number;
  end: number;
  hints?: AnyMessage;
  matchers: LabelMatcher[];
  withoutReplicaLabels: string[];
  limit: number;
}

export type LabelNamesRequestInit = Pick<LabelNamesRequest, 'start' | 'end'> & Partial<LabelNamesRequest>;

export interface LabelNamesResponse {
  names: string[];
  warnings: string[];
  hints?: AnyMessage;
}

export interface LabelValuesRequest extends LabelNamesRequest {
  label: string;
}

export type LabelValuesRequestInit = Pick<LabelValuesRequest, 'label' | 'start' | 'end'> & Partial<LabelValuesRequest>;

export interface LabelValuesResponse {
  values: string[];
  warnings: string[];
  hints?: AnyMessage;
}

/** `thanos.ZLabelSet` / `thanos.LabelSet`. */
export interface LabelSet {
  labels: Label[];
}

export interface TsdbInfo {
  labels: LabelSet;
  minTime: number;
  maxTime: number;
}

export interface StoreInfo {
  minTime: number;
  maxTime: number;
  supportsSharding: boolean;
  supportsWithoutReplicaLabels: boolean;
  tsdbInfos: TsdbInfo[];
  supportsProjections: boolean;
}

/** Component types Thanos reports in `InfoResponse.ComponentType`. */
export type ComponentType = 'query' | 'rule' | 'sidecar' | 'store' | 'receive' | 'debug' | (string & {});

/** `thanos.info.InfoResponse`; an absent sub-message means the API is not served. */
export interface InfoResponse {
  labelSets: LabelSet[];
  componentType: ComponentType;
  store?: StoreInfo;
  rules?: Record<string, never>;
  metricMetadata?: Record<string, never>;
  targets?: Record<string, never>;
  exemplars?: { minTime: number; maxTime: number };
  query?: Record<string, never>;
  status?: Record<string, never>;
}

/** Remote-write samples of one series, kept in typed arrays so float bits survive. */
export interface TimeSeries {
  labels: Label[];
  /** Integer milliseconds. */
  timestamps: Float64Array;
  values: Float64Array;
  exemplars: Exemplar[];
  /** Encoded `prometheus_copy.Histogram` messages, passed through untouched. */
  histograms: Uint8Array[];
}

export interface Exemplar {
  labels: Label[];
  value: number;
  timestamp: number;
}

/** `thanos.WriteRequest` (receiver-to-receiver forwarding). */
export interface WriteRequest {
  timeseries: TimeSeries[];
  tenant: string;
  replica: number;
  timeseriesTenantData: { timeseries: TimeSeries[]; tenant: string }[];
}

/** `thanos.Meta`: one distinct description of a metric family (type as Prometheus names it, e.g. "counter"). */
export interface MetricMeta {
  type: string;
  help: string;
  unit: string;
}

/** Metric family name → its distinct descriptions. */
export type MetricMetadataMap = Record<string, MetricMeta[]>;

/** `thanos.MetricMetadataRequest`: `metric` empty for all, `limit` ≤ 0 for no limit. */
export interface MetricMetadataRequest {
  metric: string;
  limit: number;
  partialResponseStrategy: PartialResponseStrategy;
}

/** `thanos.MetricMetadataResponse`: one frame of the `thanos.Metadata/MetricMetadata` stream. */
export type MetricMetadataResponse =
  { type: 'metadata'; metadata: MetricMetadataMap } | { type: 'warning'; warning: string };
