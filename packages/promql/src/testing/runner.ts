// Executes PromQL test files against the engine over a MemorySeriesStore and compares
// results with the rules of Prometheus's promql/test.go.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Engine } from '../engine/engine';
import type { QueryValue } from '../engine/types';
import { formatMetric, labelsKey } from '../labels';
import { formatFloatG } from '../numbers';
import { children, type Expr } from '../parser/ast';
import { parseExpr } from '../parser/parser';
import { exprToString } from '../parser/printer';
import { MemorySeriesStore } from '../storage';
import { parseTestFile, type EvalCommand, type Expected } from './dsl';

export interface CaseResult {
  file: string;
  line: number;
  expr: string;
  passed: boolean;
  /** Why the case failed. */
  error?: string;
}

const EPSILON = 0.000001;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Relative float comparison used by the Prometheus test harness; any NaN equals any NaN. */
export function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < MIN_NORMAL) return diff < EPSILON * MIN_NORMAL;
  return diff / (Math.abs(a) + Math.abs(b)) < EPSILON;
}

/** Returns a description of the mismatch, or null when `got` satisfies `want`. */
export function compareResult(cmd: EvalCommand, got: QueryValue, want: Expected): string | null {
  if (got.type === 'matrix') return 'received range result on instant evaluation';
  if (got.type === 'string') return 'received string result';
  if (got.type === 'scalar') {
    if (want.kind !== 'scalar') return `expected vector result, got scalar ${formatFloatG(got.v)}`;
    if (!almostEqual(want.value, got.v))
      return `expected scalar ${formatFloatG(want.value)} but got ${formatFloatG(got.v)}`;
    return null;
  }
  if (want.kind === 'scalar')
    return `expected scalar ${formatFloatG(want.value)}, got a vector of ${got.samples.length}`;
  const expected = new Map(want.samples.map((s, i) => [labelsKey(s.labels), { ...s, pos: i }]));
  for (let i = 0; i < got.samples.length; i++) {
    const s = got.samples[i];
    const exp = expected.get(labelsKey(s.metric));
    if (!exp) return `unexpected metric ${formatMetric(s.metric)} in result`;
    if (cmd.mode === 'ordered' && exp.pos !== i) {
      return `expected metric ${formatMetric(s.metric)} with ${formatFloatG(exp.value)} at position ${exp.pos} but was at ${i}`;
    }
    if (!almostEqual(exp.value, s.v)) {
      return `expected ${formatFloatG(exp.value)} for ${formatMetric(s.metric)} but got ${formatFloatG(s.v)}`;
    }
  }
  if (got.samples.length !== want.samples.length) {
    const seen = new Set(got.samples.map((s) => labelsKey(s.metric)));
    const missing = want.samples.filter((s) => !seen.has(labelsKey(s.labels))).map((s) => formatMetric(s.labels));
    return `expected ${want.samples.length} samples, got ${got.samples.length}; missing: ${missing.join(', ')}`;
  }
  return null;
}

export interface RunOptions {
  engine?: Engine;
}

/** Runs every command of a test file's content; each eval command yields one CaseResult. */
export async function runTestContent(content: string, file: string, opts: RunOptions = {}): Promise<CaseResult[]> {
  const engine = opts.engine ?? new Engine({ maxSamples: 10000, timeout: 100_000 });
  const store = new MemorySeriesStore();
  const results: CaseResult[] = [];
  for (const cmd of parseTestFile(content, file)) {
    if (cmd.kind === 'clear') store.clear();
    else if (cmd.kind === 'load') {
      // A series defined twice in one block keeps its last definition, as in test.go.
      const defs = new Map(cmd.series.map((s) => [labelsKey(s.labels), s]));
      for (const s of defs.values()) {
        for (let i = 0; i < s.values.length; i++) {
          if (s.present[i]) store.appendFrom(s.labels, i * cmd.step, s.values, i);
        }
      }
    } else {
      results.push(await runEval(engine, store, cmd, file));
    }
  }
  return results;
}

// Functions whose result depends on the evaluation time even with step-invariant arguments.
const AT_MODIFIER_UNSAFE = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

/**
 * test.go's atModifierTestCases: the expression with `@ <at>` added to every selector and
 * subquery (not inside a subquery) must give the same result at other evaluation times.
 */
function atModifierVariants(expr: string, at: number): { expr: string; at: number }[] {
  const root = parseExpr(expr);
  let unsafe = false;
  const stack: Expr[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr' || e.kind === 'MatrixSelector') {
      const mods = e.kind === 'MatrixSelector' ? e.vs : e;
      if (mods.timestamp === null && mods.startOrEnd === null) mods.timestamp = at;
      if (e.kind === 'SubqueryExpr') continue;
    }
    if (e.kind === 'Call' && AT_MODIFIER_UNSAFE.has(e.func.name)) unsafe = true;
    stack.push(...children(e));
  }
  if (unsafe) return [];
  const text = exprToString(root);
  const times = at === 0 ? [-1000, 0, 1000] : [-10 * at, 0, Math.trunc(at / 5), at, 10 * at];
  return times.map((t) => ({ expr: text, at: t }));
}

async function runEval(engine: Engine, store: MemorySeriesStore, cmd: EvalCommand, file: string): Promise<CaseResult> {
  const base = { file, line: cmd.line, expr: cmd.expr };
  let variants: { expr: string; at: number }[];
  try {
    variants = [{ expr: cmd.expr, at: cmd.at }, ...atModifierVariants(cmd.expr, cmd.at)];
  } catch (e) {
    return { ...base, passed: false, error: `error parsing query: ${(e as Error).message}` };
  }
  for (const v of variants) {
    const err = await runVariant(engine, store, cmd, v.expr, v.at);
    if (err !== null)
      return {
        ...base,
        passed: false,
        error: v.expr === cmd.expr && v.at === cmd.at ? err : `${v.expr} at ${v.at}ms: ${err}`,
      };
  }
  return { ...base, passed: true };
}

async function runVariant(
  engine: Engine,
  store: MemorySeriesStore,
  cmd: EvalCommand,
  expr: string,
  at: number,
): Promise<string | null> {
  let value: QueryValue;
  try {
    value = (await engine.instantQuery(store, expr, at)).value;
  } catch (e) {
    return cmd.mode === 'fail' ? null : `error evaluating query: ${(e as Error).message}`;
  }
  if (cmd.mode === 'fail') return 'expected error evaluating query but got none';
  const err = compareResult(cmd, value, cmd.expected);
  if (err !== null) return err;
  const rangeErr = await checkRangeMode(engine, store, cmd, expr, at, value);
  return rangeErr === null ? null : `range mode: ${rangeErr}`;
}

/**
 * Like test.go, re-runs the query as a range query from at-1m to at+1m (step 1m) and checks
 * that the middle step equals the expected instant result (order is not checked).
 */
async function checkRangeMode(
  engine: Engine,
  store: MemorySeriesStore,
  cmd: EvalCommand,
  expr: string,
  at: number,
  instant: QueryValue,
): Promise<string | null> {
  let range: QueryValue;
  try {
    range = (await engine.rangeQuery(store, expr, at - 60_000, at + 60_000, 60_000)).value;
  } catch (e) {
    return `error evaluating query: ${(e as Error).message}`;
  }
  if (cmd.mode === 'ordered' || range.type !== 'matrix') return null;
  const samples = [];
  for (const s of range.series) {
    const i = s.timestamps.indexOf(at);
    if (i >= 0) samples.push({ metric: s.metric, t: at, v: s.values[i] });
  }
  const mid: QueryValue =
    instant.type === 'scalar' ? { type: 'scalar', t: at, v: samples[0]?.v ?? NaN } : { type: 'vector', samples };
  return compareResult(cmd, mid, cmd.expected);
}

/** Runs a test file from disk; cases are reported with the file's base name. */
export async function runTestFile(path: string, opts: RunOptions = {}): Promise<CaseResult[]> {
  return runTestContent(readFileSync(path, 'utf8'), basename(path), opts);
}
