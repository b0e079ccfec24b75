import { compareLabels, type Matcher } from '../labels';
import { SERIES_BATCH, unbatched, type Querier } from './querier';
import { Series, type SeriesPart } from './series';

/** A position in one sorted stream of series batches. */
interface BatchCursor {
  it: AsyncIterator<Series[]>;
  batch: Series[];
  i: number;
}

/** Moves the cursor to its next series, fetching the next non-empty batch when needed; false at the end. */
async function advance(c: BatchCursor): Promise<boolean> {
  if (++c.i < c.batch.length) return true;
  for (;;) {
    const r = await c.it.next();
    if (r.done) {
      c.batch = [];
      c.i = 0;
      return false;
    }
    if (r.value.length > 0) {
      c.batch = r.value;
      c.i = 0;
      return true;
    }
  }
}

/**
 * Merges several sorted streams of series batches into one sorted stream of batches; series
 * with equal label sets become one series whose samples are merged in time order (equal
 * timestamps are returned once), like Prometheus' merge querier with `ChainedSeriesMerge`.
 * Parts keep the order of `sets`, so earlier sets win ties. Only fetching the next batch of
 * a stream waits: a day of 2 h blocks merges series by series without an await each.
 */
export async function* mergeSeriesBatchSets(sets: readonly AsyncIterable<Series[]>[]): AsyncGenerator<Series[]> {
  if (sets.length === 1) {
    yield* sets[0];
    return;
  }
  const cursors = sets.map((s): BatchCursor => ({ it: s[Symbol.asyncIterator](), batch: [], i: -1 }));
  await Promise.all(cursors.map(advance));
  let live = cursors.filter((c) => c.batch.length > 0);
  let out: Series[] = [];
  while (live.length > 0) {
    let best = 0;
    for (let k = 1; k < live.length; k++) {
      if (compareLabels(live[k].batch[live[k].i].labels, live[best].batch[live[best].i].labels) < 0) best = k;
    }
    const first = live[best].batch[live[best].i];
    const parts: SeriesPart[] = [];
    let mint = first.mint;
    let maxt = first.maxt;
    let ended = false;
    for (let k = best; k < live.length; k++) {
      const c = live[k];
      const s = c.batch[c.i];
      if (k !== best && compareLabels(s.labels, first.labels) !== 0) continue;
      for (const p of s.parts) parts.push(p);
      mint = Math.min(mint, s.mint);
      maxt = Math.max(maxt, s.maxt);
      if (!(await advance(c))) ended = true;
    }
    if (ended) live = live.filter((c) => c.batch.length > 0);
    out.push(parts.length === first.parts.length ? first : new Series(first.labels, parts, mint, maxt));
    if (out.length === SERIES_BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** The series of a stream as batches of one, for {@link mergeSeriesBatchSets}. */
async function* singles(set: AsyncIterable<Series>): AsyncGenerator<Series[]> {
  for await (const s of set) yield [s];
}

/** {@link mergeSeriesBatchSets} over streams of single series. */
export function mergeSeriesSets(sets: readonly AsyncIterable<Series>[]): AsyncGenerator<Series> {
  return unbatched(mergeSeriesBatchSets(sets.map(singles)));
}

/** A querier over several others (blocks and head), merged as {@link mergeSeriesBatchSets} does. */
export class MergeQuerier implements Querier {
  constructor(readonly queriers: readonly Querier[]) {}

  select(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series> {
    return unbatched(this.selectBatches(matchers, mint, maxt));
  }

  selectBatches(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series[]> {
    return mergeSeriesBatchSets(this.queriers.map((q) => q.selectBatches(matchers, mint, maxt)));
  }
}
