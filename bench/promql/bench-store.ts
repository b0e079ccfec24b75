// A Queryable over exactly sized columns (16 bytes per sample, no growth slack), series kept in label
// order as a TSDB returns them: the benchmark's stand-in for decoded block data.
import type { LabelMatcher, Labels, Querier, Queryable, StorageSeries } from '../../packages/promql/src/index';
import { getLabel, matchesValue } from '../../packages/promql/src/index';
import { lowerBound, upperBound } from '../../packages/promql/src/search';
import { sortedBenchSeries } from './bench-blocks';
import type { BenchSeries } from './bench-data';

export class ColumnStore implements Queryable {
  private readonly series: StorageSeries[] = [];

  /** Adds a series; series must be added in label order. */
  add(labels: Labels, timestamps: Float64Array, values: Float64Array): void {
    this.series.push({ labels, timestamps, values });
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const all = this.series;
    const matching = (matchers: LabelMatcher[]) =>
      all.filter((s) => matchers.every((m) => matchesValue(m, getLabel(s.labels, m.name))));
    const sortedSet = (xs: Iterable<string>) => [...new Set(xs)].sort();
    return {
      // Series are kept in label order, so sorted or not the answer is the same.
      select: async (_sortSeries, hints, matchers) => {
        const lo = Math.max(mint, hints.start);
        const hi = Math.min(maxt, hints.end);
        const out: StorageSeries[] = [];
        for (const s of matching(matchers)) {
          const a = lowerBound(s.timestamps, lo);
          const b = upperBound(s.timestamps, hi);
          if (b > a)
            out.push({ labels: s.labels, timestamps: s.timestamps.subarray(a, b), values: s.values.subarray(a, b) });
        }
        return out;
      },
      labelNames: async (matchers = []) => sortedSet(matching(matchers).flatMap((s) => s.labels.map((l) => l.name))),
      labelValues: async (name, matchers = []) =>
        sortedSet(
          matching(matchers)
            .map((s) => getLabel(s.labels, name))
            .filter((v) => v !== ''),
        ),
      close: async () => undefined,
    };
  }
}

/** The bench series as columns: `samples` samples every `interval` ms from `start`. */
export function benchColumns(
  series: readonly BenchSeries[],
  start: number,
  samples: number,
  interval: number,
): ColumnStore {
  const store = new ColumnStore();
  for (const { labels, s } of sortedBenchSeries(series)) {
    const t = new Float64Array(samples);
    const v = new Float64Array(samples);
    for (let i = 0; i < samples; i++) {
      t[i] = start + i * interval;
      v[i] = s.value(i);
    }
    store.add(labels, t, v);
  }
  return store;
}
