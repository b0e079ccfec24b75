export type { Label, Labels } from './labels';
export {
  METRIC_NAME,
  EMPTY_LABELS,
  labelsFromRecord,
  labelsToRecord,
  labelsToString,
  formatMetric,
  labelsKey,
  getLabel,
  compareLabels,
} from './labels';
export type {
  Expr,
  ValueType,
  LabelMatcher,
  MatchType,
  VectorSelector,
  MatrixSelector,
  SubqueryExpr,
  AggregateExpr,
  BinaryExpr,
  Call,
  FunctionDef,
} from './parser/ast';
export { exprType } from './parser/ast';
export {
  parseExpr,
  parseMetricSelector,
  ParseError,
  newLabelMatcher,
  matchesValue,
  MAX_NESTING_DEPTH,
} from './parser/parser';
export { exprToString } from './parser/printer';
export { parseDuration, formatDuration, DurationError } from './parser/duration';
export { FUNCTIONS } from './parser/functions';
export type { Queryable, Querier, SelectHints, StorageSeries } from './storage';
export { MemorySeriesStore, STALE_NAN_BITS, STALE_NAN_ARRAY, isStaleAt, OutOfOrderSampleError } from './storage';
export { Engine } from './engine/engine';
export type { EngineOptions, QueryOptions } from './engine/engine';
export type { Sample, RangeSeries, QueryValue, QueryResult } from './engine/types';
export { QueryError, EvalError, TooManySamplesError, QueryTimeoutError, QueryCanceledError } from './engine/types';
export { parseTestFile, parseSeriesDesc, TestFileError } from './testing/dsl';
export type { Command as TestCommand, EvalCommand, LoadCommand } from './testing/dsl';
export { runTestFile, runTestContent, almostEqual } from './testing/runner';
export type { CaseResult } from './testing/runner';
