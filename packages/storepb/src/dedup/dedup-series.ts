// Series-level deduplication steps of the Thanos querier (spec/thanos.md §4.2):
// replica-label removal, overlap splitting of chunks into virtual replicas, and
// grouping of adjacent equal label sets whose samples are then penalty-merged.
import { removeLabels } from '../labels/external-labels';
import { compareLabels, labelsEqual } from '../labels/labels';
import type { AggrChunk, Label } from '../types';
import { dedupSamples, type DedupOptions, type SampleSeries } from './penalty';

export interface LabeledSamples extends SampleSeries {
  labels: Label[];
}

/**
 * For stores that cannot drop replica labels themselves: removes them from every
 * series and re-sorts (stable, so replicas keep their store order).
 */
export function stripReplicaLabels<T extends { labels: Label[] }>(series: T[], replicaLabels: Iterable<string>): T[] {
  const names = new Set(replicaLabels);
  return series
    .map((s) => ({ ...s, labels: removeLabels(s.labels, names) }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}

/**
 * Distributes one series' chunks (sorted by minTime) into lists without overlap: each
 * chunk joins the first list whose last chunk ends before it starts, else opens a new
 * list. Each list is then deduplicated as if it were a separate replica.
 */
export function splitOverlappingChunks(chunks: AggrChunk[]): AggrChunk[][] {
  const replicas: AggrChunk[][] = [[]];
  for (const chunk of chunks) {
    const target = replicas.find((r) => r.length === 0 || r[r.length - 1].maxTime < chunk.minTime);
    if (target) target.push(chunk);
    else replicas.push([chunk]);
  }
  return replicas;
}

/**
 * Deduplicates a label-sorted stream whose replica labels are already removed:
 * adjacent series with equal label sets are merged with the penalty algorithm.
 */
export function* dedupSeriesSet(series: Iterable<LabeledSamples>, opts: DedupOptions = {}): Generator<LabeledSamples> {
  let group: LabeledSamples[] = [];
  const flush = (): LabeledSamples => {
    const merged = dedupSamples(group, opts);
    return { labels: group[0].labels, timestamps: merged.timestamps, values: merged.values };
  };
  for (const s of series) {
    if (group.length > 0 && !labelsEqual(group[0].labels, s.labels)) {
      yield flush();
      group = [];
    }
    group.push(s);
  }
  if (group.length > 0) yield flush();
}
