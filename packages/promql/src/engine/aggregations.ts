// Grouping shared by all aggregation operators, and the two that work on one step's vector at a
// time (count_values relabels by value, quantile needs all of a group's values at once),
// following Prometheus 2.42's evaluator.aggregation.

import { isValidLabelName, keepLabels, matchKey, METRIC_NAME, setLabel, withoutLabels, type Labels } from '../labels';
import { formatFloatF, formatFloatG, INT64_LIMIT } from '../numbers';
import { quantile } from './functions';
import { EvalError, type Sample } from './types';

/** Grouping key of a series for `by (grouping)` or `without (grouping)`. */
export function groupingKey(metric: Labels, grouping: readonly string[], without: boolean): string {
  return without ? matchKey(metric, false, grouping) : matchKey(metric, true, grouping);
}

/** Labels of the output series of the group a series belongs to. */
export function groupLabels(metric: Labels, grouping: readonly string[], without: boolean): Labels {
  return without ? withoutLabels(metric, [...grouping, METRIC_NAME]) : keepLabels(metric, grouping);
}

/** A float parameter used as an integer (topk's k), as Go converts it. */
export function toInt64(f: number): number {
  if (!(f <= INT64_LIMIT && f >= -INT64_LIMIT)) {
    throw new EvalError(`Scalar value ${formatFloatG(f)} overflows int64`);
  }
  return Math.trunc(f);
}

interface Group {
  labels: Labels;
  count: number;
  values: number[];
}

/** Evaluates count_values (`param` the label name) or quantile (`param` the quantile) for one step. */
export function aggregateStep(
  op: 'count_values' | 'quantile',
  grouping: readonly string[],
  without: boolean,
  param: number | string,
  vec: Sample[],
): Sample[] {
  let valueLabel = '';
  let labelsOfGroup = grouping;
  if (op === 'count_values') {
    valueLabel = param as string;
    if (!isValidLabelName(valueLabel)) throw new EvalError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!without) labelsOfGroup = [...grouping, valueLabel];
  }
  const groups = new Map<string, Group>();
  for (const s of vec) {
    const metric = op === 'count_values' ? setLabel(s.metric, valueLabel, formatFloatF(s.v)) : s.metric;
    const key = groupingKey(metric, labelsOfGroup, without);
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.values.push(s.v);
    } else groups.set(key, { labels: groupLabels(metric, labelsOfGroup, without), count: 1, values: [s.v] });
  }
  return [...groups.values()].map((g) => ({
    metric: g.labels,
    t: 0,
    v: op === 'count_values' ? g.count : quantile(param as number, g.values),
  }));
}
