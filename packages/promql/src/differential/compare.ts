// Compares two normalised results the way Prometheus's own tests do: values within relative
// tolerance (NaN equals NaN), series sets equal, order only where the query defines one.

import { almostEqual } from '../testing/runner';
import type { NormResult, NormSeries } from './normalize';

function formatValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

function compareSeries(label: string, a: NormSeries, b: NormSeries): string | null {
  if (a.timestamps.length !== b.timestamps.length) {
    return `${label}: ${a.timestamps.length} points vs ${b.timestamps.length}`;
  }
  for (let i = 0; i < a.timestamps.length; i++) {
    if (a.timestamps[i] !== b.timestamps[i]) return `${label}: timestamp ${a.timestamps[i]} vs ${b.timestamps[i]}`;
    if (!almostEqual(a.values[i], b.values[i])) {
      return `${label} @${a.timestamps[i]}: ${formatValue(a.values[i])} vs ${formatValue(b.values[i])}`;
    }
  }
  return null;
}

function compareSeriesSets(ours: NormSeries[], theirs: NormSeries[], ordered: boolean): string | null {
  const byMetric = new Map(theirs.map((s) => [s.metric, s]));
  if (byMetric.size !== theirs.length) return 'Prometheus returned duplicate series';
  for (const s of ours) {
    const t = byMetric.get(s.metric);
    if (!t) return `extra series ${s.metric} (${s.values.slice(0, 3).map(formatValue).join(', ')})`;
    const diff = compareSeries(s.metric, s, t);
    if (diff) return diff;
  }
  if (ours.length !== theirs.length) {
    const seen = new Set(ours.map((s) => s.metric));
    return `missing series ${theirs
      .filter((s) => !seen.has(s.metric))
      .map((s) => s.metric)
      .join(', ')}`;
  }
  // With ties the order of equal values is unspecified, so an ordered result is checked by its values.
  if (ordered) {
    for (let i = 0; i < ours.length; i++) {
      if (!almostEqual(ours[i].values[0], theirs[i].values[0])) {
        return `order differs at ${i}: ${ours[i].metric} vs ${theirs[i].metric}`;
      }
    }
  }
  return null;
}

/** A description of the first difference, or null when the results agree. */
export function compareResults(ours: NormResult, theirs: NormResult, ordered: boolean): string | null {
  if (ours.kind === 'error') return theirs.kind === 'error' ? null : `only we failed: ${ours.message}`;
  if (theirs.kind === 'error') return `only Prometheus failed: ${theirs.message}`;
  if (ours.kind !== theirs.kind) return `result type ${ours.kind} vs ${theirs.kind}`;
  if (ours.kind === 'scalar' && theirs.kind === 'scalar') {
    if (ours.t !== theirs.t) return `scalar time ${ours.t} vs ${theirs.t}`;
    return almostEqual(ours.v, theirs.v) ? null : `scalar ${formatValue(ours.v)} vs ${formatValue(theirs.v)}`;
  }
  if (ours.kind === 'string' && theirs.kind === 'string') {
    return ours.v === theirs.v && ours.t === theirs.t ? null : `string ${ours.v} vs ${theirs.v}`;
  }
  if (ours.kind === 'vector' && theirs.kind === 'vector')
    return compareSeriesSets(ours.samples, theirs.samples, ordered);
  if (ours.kind === 'matrix' && theirs.kind === 'matrix') return compareSeriesSets(ours.series, theirs.series, false);
  return 'unreachable result kinds';
}
