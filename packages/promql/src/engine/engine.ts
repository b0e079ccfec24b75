// Query entry points: parse, resolve @ start()/end(), select the data every selector needs
// from a Queryable, evaluate, and shape the result (instant vector, scalar, matrix, string).

import { compareLabels } from '../labels';
import { children, exprType, type Expr, type VectorSelector } from '../parser/ast';
import { parseExpr, typeName } from '../parser/parser';
import type { Queryable, SelectHints, StorageSeries } from '../storage';
import { Evaluator, type EvalSettings } from './evaluator';
import {
  QueryCanceledError,
  QueryError,
  QueryTimeoutError,
  type QueryResult,
  type QueryValue,
  type RangeSeries,
} from './types';

export interface EngineOptions {
  /** How far back an instant selector looks for a sample (ms). Default 5m. */
  lookbackDelta?: number;
  /** Maximum number of samples held in memory at once. Default 50 000 000. */
  maxSamples?: number;
  /** Query timeout (ms). Default 2m. */
  timeout?: number;
  /** Step for subqueries written without one. Default: 1m whatever the range. */
  noStepSubqueryInterval?: (rangeMs: number) => number;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Overrides the engine's lookback delta for this query (ms). */
  lookbackDelta?: number;
}

interface SelectorNeed {
  vs: VectorSelector;
  hints: SelectHints;
}

/** Name of the function or aggregation a selector feeds, as Prometheus's extractFuncFromPath. */
function funcFromPath(path: Expr[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i];
    if (n.kind === 'AggregateExpr') return n.op;
    if (n.kind === 'Call') return n.func.name;
    // Only functions or aggregations over a single metric are of interest.
    if (n.kind === 'BinaryExpr') return '';
  }
  return '';
}

/** Walks the tree and computes, for every selector, the time range of data it reads. */
function collectSelectors(root: Expr, start: number, end: number, lookback: number, step: number): SelectorNeed[] {
  const needs: SelectorNeed[] = [];
  const path: Expr[] = [];
  const walk = (e: Expr, s: number, en: number): void => {
    if (e.kind === 'VectorSelector' || e.kind === 'MatrixSelector') {
      const vs = e.kind === 'VectorSelector' ? e : e.vs;
      const range = e.kind === 'MatrixSelector' ? e.range : 0;
      const parent = path[path.length - 1];
      const grouped = parent?.kind === 'AggregateExpr' && e.kind === 'VectorSelector';
      needs.push({
        vs,
        hints: {
          start: (vs.timestamp ?? s) - vs.offset - (range || lookback),
          end: (vs.timestamp ?? en) - vs.offset,
          step,
          range,
          func: funcFromPath(e.kind === 'MatrixSelector' ? [...path, e] : path),
          grouping: grouped ? parent.grouping : [],
          by: grouped ? !parent.without : false,
        },
      });
      return;
    }
    path.push(e);
    if (e.kind === 'SubqueryExpr') {
      walk(e.expr, (e.timestamp ?? s) - e.offset - e.range, (e.timestamp ?? en) - e.offset);
    } else {
      for (const c of children(e)) walk(c, s, en);
    }
    path.pop();
  };
  walk(root, start, end);
  return needs;
}

/** Replaces `@ start()` / `@ end()` with the query's start and end. */
function resolveStartEnd(root: Expr, start: number, end: number): void {
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    const mods =
      e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr' ? e : e.kind === 'MatrixSelector' ? e.vs : null;
    if (mods?.startOrEnd) mods.timestamp = mods.startOrEnd === 'start' ? start : end;
    stack.push(...children(e));
  }
}

export class Engine {
  readonly lookbackDelta: number;
  readonly maxSamples: number;
  readonly timeout: number;
  private readonly noStepSubqueryInterval: (rangeMs: number) => number;

  constructor(opts: EngineOptions = {}) {
    this.lookbackDelta = opts.lookbackDelta ?? 5 * 60_000;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
    this.timeout = opts.timeout ?? 2 * 60_000;
    this.noStepSubqueryInterval = opts.noStepSubqueryInterval ?? (() => 60_000);
  }

  /** Evaluates `query` at time `time` (ms). */
  async instantQuery(
    queryable: Queryable,
    query: string | Expr,
    time: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    const expr = typeof query === 'string' ? parseExpr(query) : structuredClone(query);
    const series = await this.run(queryable, expr, time, time, 1, opts);
    let value: QueryValue;
    if (!Array.isArray(series)) value = { type: 'string', t: time, v: series.value };
    else {
      const ty = exprType(expr);
      if (ty === 'scalar') value = { type: 'scalar', t: time, v: series[0]?.points.v[0] ?? NaN };
      else if (ty === 'vector') {
        value = { type: 'vector', samples: series.map((s) => ({ metric: s.metric, t: time, v: s.points.v[0] })) };
      } else {
        value = {
          type: 'matrix',
          series: series.map((s) => toRangeSeries(s.metric, s.points.timestamps, s.points.values)),
        };
      }
    }
    return { value, warnings: [] };
  }

  /** Evaluates `query` at every `step` ms from `start` to `end` (inclusive). */
  async rangeQuery(
    queryable: Queryable,
    query: string | Expr,
    start: number,
    end: number,
    step: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    if (step <= 0) throw new QueryError('zero or negative query resolution step widths are not accepted');
    if (end < start) throw new QueryError('end timestamp must not be before start time');
    const expr = typeof query === 'string' ? parseExpr(query) : structuredClone(query);
    const ty = exprType(expr);
    if (ty !== 'scalar' && ty !== 'vector') {
      throw new QueryError(
        `invalid expression type "${typeName(ty)}" for range query, must be Scalar or instant Vector`,
      );
    }
    const series = await this.run(queryable, expr, start, end, step, opts);
    if (!Array.isArray(series)) throw new QueryError('unexpected string result in range query');
    const out = series.map((s) => toRangeSeries(s.metric, s.points.timestamps, s.points.values));
    out.sort((a, b) => compareLabels(a.metric, b.metric));
    return { value: { type: 'matrix', series: out }, warnings: [] };
  }

  private async run(queryable: Queryable, expr: Expr, start: number, end: number, step: number, opts: QueryOptions) {
    const deadline = Date.now() + this.timeout;
    const checkCancelled = (where: string): void => {
      if (opts.signal?.aborted) throw new QueryCanceledError(where);
      if (Date.now() > deadline) throw new QueryTimeoutError(where);
    };
    const lookbackDelta = opts.lookbackDelta ?? this.lookbackDelta;
    resolveStartEnd(expr, start, end);
    const needs = collectSelectors(expr, start, end, lookbackDelta, start === end ? 0 : step);
    const data = new Map<VectorSelector, StorageSeries[]>();
    if (needs.length > 0) {
      const mint = Math.min(...needs.map((n) => n.hints.start));
      const maxt = Math.max(...needs.map((n) => n.hints.end));
      const querier = await queryable.querier(mint, maxt);
      try {
        for (const n of needs) {
          checkCancelled('query preparation');
          data.set(n.vs, sortedByLabels(await querier.select(false, n.hints, n.vs.matchers)));
        }
      } finally {
        await querier.close();
      }
    }
    const settings: EvalSettings = {
      lookbackDelta,
      maxSamples: this.maxSamples,
      noStepSubqueryInterval: this.noStepSubqueryInterval,
      data,
      checkCancelled,
    };
    return new Evaluator(start, end, step, settings).eval(expr);
  }
}

/**
 * Prometheus's TSDB hands the engine series in label order even when it asks for no sorting, and
 * tie-breaking depends on it (which of equal values topk/bottomk keep, the order of sort() ties):
 * sort unless the store already did.
 */
function sortedByLabels(series: StorageSeries[]): StorageSeries[] {
  for (let i = 1; i < series.length; i++) {
    if (compareLabels(series[i - 1].labels, series[i].labels) > 0) {
      return [...series].sort((a, b) => compareLabels(a.labels, b.labels));
    }
  }
  return series;
}

function toRangeSeries(metric: RangeSeries['metric'], t: Float64Array, v: Float64Array): RangeSeries {
  return { metric, timestamps: t.slice(), values: v.slice() };
}
