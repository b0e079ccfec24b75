// Binary operators between scalars and vectors with Prometheus's vector matching.

import {
  dropMetricName,
  getLabel,
  keepLabels,
  labelsKey,
  labelsToString,
  matchLabels,
  METRIC_NAME,
  setLabel,
  withoutLabels,
  type Labels,
} from '../labels';
import { isComparisonOp, type BinaryOp, type VectorMatching } from '../parser/ast';
import { goAtan2, goPow } from './gomath';
import { EvalError, type Sample } from './types';

function shouldDropMetricName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^';
}

/** Value of `lhs op rhs` and whether a filtering (comparison) operator keeps the element. */
function elemBinop(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+':
      return [lhs + rhs, true];
    case '-':
      return [lhs - rhs, true];
    case '*':
      return [lhs * rhs, true];
    case '/':
      return [lhs / rhs, true];
    case '%':
      return [lhs % rhs, true];
    case '^':
      return [goPow(lhs, rhs), true];
    case 'atan2':
      return [goAtan2(lhs, rhs), true];
    case '==':
      return [lhs, lhs === rhs];
    case '!=':
      return [lhs, lhs !== rhs];
    case '>':
      return [lhs, lhs > rhs];
    case '<':
      return [lhs, lhs < rhs];
    case '>=':
      return [lhs, lhs >= rhs];
    case '<=':
      return [lhs, lhs <= rhs];
    default:
      throw new EvalError(`operator "${op}" not allowed for scalar operations`);
  }
}

export function scalarBinop(op: BinaryOp, lhs: number, rhs: number): number {
  const [v, keep] = elemBinop(op, lhs, rhs);
  if (isComparisonOp(op)) return keep ? 1 : 0;
  return v;
}

export function vectorScalarBinop(
  op: BinaryOp,
  vec: Sample[],
  scalar: number,
  swap: boolean,
  returnBool: boolean,
): Sample[] {
  const out: Sample[] = [];
  for (const s of vec) {
    let lv = s.v;
    let rv = scalar;
    if (swap) [lv, rv] = [rv, lv];
    let [value, keep] = elemBinop(op, lv, rv);
    // A comparison with the scalar on the left still yields the vector element's value.
    if (isComparisonOp(op) && swap) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) {
      const metric = shouldDropMetricName(op) || returnBool ? dropMetricName(s.metric) : s.metric;
      out.push({ metric, t: s.t, v: value });
    }
  }
  return out;
}

/** Signature of a series for matching, per on(...)/ignoring(...). */
export function matchSignature(metric: Labels, vm: VectorMatching): string {
  let s = '';
  for (const l of metric) {
    const listed = vm.matchingLabels.includes(l.name);
    if (vm.on ? listed : !listed && l.name !== METRIC_NAME) s += l.name + '\xff' + l.value + '\xff';
  }
  return s;
}

export function vectorAnd(lhs: Sample[], rhs: Sample[], lsig: string[], rsig: string[]): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rsig);
  return lhs.filter((_, i) => right.has(lsig[i]));
}

export function vectorOr(lhs: Sample[], rhs: Sample[], lsig: string[], rsig: string[]): Sample[] {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const left = new Set(lsig);
  return [...lhs, ...rhs.filter((_, i) => !left.has(rsig[i]))];
}

export function vectorUnless(lhs: Sample[], rhs: Sample[], lsig: string[], rsig: string[]): Sample[] {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const right = new Set(rsig);
  return lhs.filter((_, i) => !right.has(lsig[i]));
}

/**
 * Memoises result label sets per (lhs, rhs) label-set pair for one binary expression, so that
 * every step of a range query yields the same label-set objects (as Prometheus's resultMetric map).
 */
export class ResultMetricCache {
  private readonly cache = new Map<Labels, Map<Labels, Labels>>();

  get(lhs: Labels, rhs: Labels, compute: () => Labels): Labels {
    let inner = this.cache.get(lhs);
    if (!inner) {
      inner = new Map();
      this.cache.set(lhs, inner);
    }
    let m = inner.get(rhs);
    if (m === undefined) {
      m = compute();
      inner.set(rhs, m);
    }
    return m;
  }
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, vm: VectorMatching): Labels {
  let m = lhs;
  if (shouldDropMetricName(op)) m = dropMetricName(m);
  if (vm.card === 'one-to-one') {
    m = vm.on ? keepLabels(m, vm.matchingLabels) : withoutLabels(m, vm.matchingLabels);
  }
  for (const ln of vm.include) m = setLabel(m, ln, getLabel(rhs, ln));
  return m;
}

export function vectorBinop(
  op: BinaryOp,
  lhs0: Sample[],
  rhs0: Sample[],
  vm: VectorMatching,
  returnBool: boolean,
  lsig0: string[],
  rsig0: string[],
  cache: ResultMetricCache,
): Sample[] {
  if (lhs0.length === 0 || rhs0.length === 0) return [];
  const swapped = vm.card === 'one-to-many';
  const [lhs, rhs, lsig, rsig] = swapped ? [rhs0, lhs0, rsig0, lsig0] : [lhs0, rhs0, lsig0, rsig0];
  const right = new Map<string, Sample>();
  rhs.forEach((rs, i) => {
    const dup = right.get(rsig[i]);
    if (dup) {
      const side = swapped ? 'left' : 'right';
      throw new EvalError(
        `found duplicate series for the match group ${labelsToString(matchLabels(rs.metric, vm.on, vm.matchingLabels))} ` +
          `on the ${side} hand-side of the operation: [${labelsToString(rs.metric)}, ${labelsToString(dup.metric)}]` +
          ';many-to-many matching not allowed: matching labels must be unique on one side',
      );
    }
    right.set(rsig[i], rs);
  });
  const matched = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  lhs.forEach((ls, i) => {
    const sig = lsig[i];
    const rs = right.get(sig);
    if (!rs) return;
    let [vl, vr] = [ls.v, rs.v];
    if (swapped) [vl, vr] = [vr, vl];
    const [result, keep] = elemBinop(op, vl, vr);
    let value = result;
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) return;
    const metric = cache.get(ls.metric, rs.metric, () => {
      const m = resultMetric(ls.metric, rs.metric, op, vm);
      return returnBool ? dropMetricName(m) : m;
    });
    const inserted = matched.get(sig);
    if (vm.card === 'one-to-one') {
      if (inserted !== undefined) {
        throw new EvalError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matched.set(sig, null);
    } else {
      const key = labelsKey(metric);
      let set = inserted;
      if (!set) {
        set = new Set();
        matched.set(sig, set);
      } else if (set.has(key)) {
        throw new EvalError('multiple matches for labels: grouping labels must ensure unique matches');
      }
      set.add(key);
    }
    out.push({ metric, t: 0, v: value });
  });
  return out;
}
