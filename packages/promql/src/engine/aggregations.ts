// Aggregation operators (sum, avg, topk, count_values, ...) over one step's vector,
// following Prometheus 2.42's evaluator.aggregation.

import { isValidLabelName, keepLabels, matchKey, METRIC_NAME, setLabel, withoutLabels, type Labels } from '../labels';
import { formatFloatF, formatFloatG, INT64_LIMIT } from '../numbers';
import type { AggregateOp } from '../parser/ast';
import { quantile } from './functions';
import { EvalError, type Sample } from './types';

/** Grouping key of a series for `by (grouping)` or `without (grouping)`. */
export function groupingKey(metric: Labels, grouping: readonly string[], without: boolean): string {
  return without ? matchKey(metric, false, grouping) : matchKey(metric, true, grouping);
}

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  /** topk/bottomk heap or quantile values. */
  heap: Sample[];
}

// Binary heap over samples ordered by `less`, as Go's container/heap, so that ties resolve the same way.
function heapUp(h: Sample[], j: number, less: (a: Sample, b: Sample) => boolean): void {
  while (j > 0) {
    const i = (j - 1) >> 1;
    if (i === j || !less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    j = i;
  }
}

function heapDown(h: Sample[], i0: number, n: number, less: (a: Sample, b: Sample) => boolean): void {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    i = j;
  }
}

function heapPush(h: Sample[], s: Sample, less: (a: Sample, b: Sample) => boolean): void {
  h.push(s);
  heapUp(h, h.length - 1, less);
}

function heapPop(h: Sample[], less: (a: Sample, b: Sample) => boolean): void {
  const n = h.length - 1;
  [h[0], h[n]] = [h[n], h[0]];
  heapDown(h, 0, n, less);
  h.pop();
}

const topLess = (a: Sample, b: Sample): boolean => Number.isNaN(a.v) || a.v < b.v;
const bottomLess = (a: Sample, b: Sample): boolean => Number.isNaN(a.v) || a.v > b.v;

function toInt64(f: number): number {
  if (!(f <= INT64_LIMIT && f >= -INT64_LIMIT)) {
    throw new EvalError(`Scalar value ${formatFloatG(f)} overflows int64`);
  }
  return Math.trunc(f);
}

/** Evaluates one aggregation for one step. `param` is the scalar or string parameter, if any. */
export function aggregate(
  op: AggregateOp,
  grouping: readonly string[],
  without: boolean,
  param: number | string | undefined,
  vec: Sample[],
  /** Precomputed grouping keys of `vec`'s elements (unused for count_values, which relabels). */
  keys?: string[],
): Sample[] {
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    k = toInt64(param as number);
    if (k < 1) return [];
  }
  let valueLabel = '';
  let groupLabels = grouping;
  if (op === 'count_values') {
    valueLabel = param as string;
    if (!isValidLabelName(valueLabel)) throw new EvalError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!without) groupLabels = [...grouping, valueLabel];
  }
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  for (let i = 0; i < vec.length; i++) {
    let s = vec[i];
    if (op === 'count_values') s = { metric: setLabel(s.metric, valueLabel, formatFloatF(s.v)), t: s.t, v: s.v };
    const key = keys && op !== 'count_values' ? keys[i] : groupingKey(s.metric, groupLabels, without);
    const g = groups.get(key);
    if (!g) {
      let labels: Labels;
      if (without) labels = withoutLabels(s.metric, [...groupLabels, METRIC_NAME]);
      else labels = keepLabels(s.metric, groupLabels);
      const ng: Group = { labels, value: s.v, mean: s.v, count: 1, heap: [] };
      if (op === 'stdvar' || op === 'stddev') ng.value = 0;
      else if (op === 'topk' || op === 'bottomk' || op === 'quantile') ng.heap = [s];
      else if (op === 'group') ng.value = 1;
      groups.set(key, ng);
      ordered.push(ng);
      continue;
    }
    switch (op) {
      case 'sum':
        g.value += s.v;
        break;
      case 'avg':
        g.count++;
        if (!Number.isFinite(g.mean) && !Number.isNaN(g.mean)) {
          // An infinite mean stays put unless a NaN or an Inf of the other sign arrives.
          if (!Number.isFinite(s.v) && !Number.isNaN(s.v) && g.mean > 0 === s.v > 0) break;
          if (Number.isFinite(s.v)) break;
        }
        g.mean += s.v / g.count - g.mean / g.count;
        break;
      case 'group':
        break;
      case 'max':
        if (g.value < s.v || Number.isNaN(g.value)) g.value = s.v;
        break;
      case 'min':
        if (g.value > s.v || Number.isNaN(g.value)) g.value = s.v;
        break;
      case 'count':
      case 'count_values':
        g.count++;
        break;
      case 'stdvar':
      case 'stddev': {
        g.count++;
        const delta = s.v - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (s.v - g.mean);
        break;
      }
      case 'topk':
      case 'bottomk': {
        const less = op === 'topk' ? topLess : bottomLess;
        const top = g.heap[0];
        const better = op === 'topk' ? top.v < s.v : top.v > s.v;
        if (g.heap.length < k || better || Number.isNaN(top.v)) {
          if (g.heap.length === k) {
            if (k === 1) {
              g.heap[0] = s;
              break;
            }
            heapPop(g.heap, less);
          }
          heapPush(g.heap, s, less);
        }
        break;
      }
      case 'quantile':
        g.heap.push(s);
        break;
    }
  }
  const out: Sample[] = [];
  for (const g of ordered) {
    switch (op) {
      case 'avg':
        g.value = g.mean;
        break;
      case 'count':
      case 'count_values':
        g.value = g.count;
        break;
      case 'stdvar':
        g.value = g.value / g.count;
        break;
      case 'stddev':
        g.value = Math.sqrt(g.value / g.count);
        break;
      case 'topk':
      case 'bottomk': {
        const less = op === 'topk' ? topLess : bottomLess;
        const sorted = [...g.heap].sort((a, b) => (less(b, a) ? -1 : less(a, b) ? 1 : 0));
        for (const s of sorted) out.push({ metric: s.metric, t: 0, v: s.v });
        continue;
      }
      case 'quantile':
        g.value = quantile(
          param as number,
          g.heap.map((s) => s.v),
        );
        break;
    }
    out.push({ metric: g.labels, t: 0, v: g.value });
  }
  return out;
}
