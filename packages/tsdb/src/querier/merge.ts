import { compareLabels, type Matcher } from '../labels';
import { SERIES_BATCH, type Querier } from './querier';
import { Series, type SeriesPart } from './series';

/**
 * Merges several sorted series streams into one sorted stream; series with equal label
 * sets become one series whose samples are merged in time order (equal timestamps are
 * returned once), like Prometheus' merge querier with `ChainedSeriesMerge`. Parts keep
 * the order of `sets`, so earlier sets win ties.
 */
export async function* mergeSeriesSets(sets: readonly AsyncIterable<Series>[]): AsyncGenerator<Series> {
  if (sets.length === 1) {
    yield* sets[0];
    return;
  }
  const its = sets.map((s) => s[Symbol.asyncIterator]());
  const heads: (Series | undefined)[] = await Promise.all(its.map(async (it) => (await it.next()).value));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== undefined && (best < 0 || compareLabels(h.labels, heads[best]!.labels) < 0)) best = i;
    }
    if (best < 0) return;
    const first = heads[best]!;
    const parts: SeriesPart[] = [];
    let mint = first.mint;
    let maxt = first.maxt;
    for (let i = best; i < heads.length; i++) {
      const h = heads[i];
      if (h === undefined || (i !== best && compareLabels(h.labels, first.labels) !== 0)) continue;
      parts.push(...h.parts);
      mint = Math.min(mint, h.mint);
      maxt = Math.max(maxt, h.maxt);
      heads[i] = (await its[i].next()).value;
    }
    yield parts.length === first.parts.length ? first : new Series(first.labels, parts, mint, maxt);
  }
}

/** A querier over several others (blocks and head), merged as {@link mergeSeriesSets} does. */
export class MergeQuerier implements Querier {
  constructor(readonly queriers: readonly Querier[]) {}

  select(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series> {
    return mergeSeriesSets(this.queriers.map((q) => q.select(matchers, mint, maxt)));
  }

  async *selectBatches(matchers: readonly Matcher[], mint: number, maxt: number): AsyncGenerator<Series[]> {
    if (this.queriers.length === 1) {
      yield* this.queriers[0].selectBatches(matchers, mint, maxt);
      return;
    }
    let batch: Series[] = [];
    for await (const s of this.select(matchers, mint, maxt)) {
      batch.push(s);
      if (batch.length === SERIES_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}
