import { compareLabels, type Matcher } from '../labels';
import { SERIES_BATCH, unbatched, type Querier } from './querier';
import { Series, type SeriesPart } from './series';

/** A position in one sorted stream of series batches. */
interface BatchCursor {
  it: AsyncIterator<Series[]>;
  batch: Series[];
  i: number;
}

/** Fetches the cursor's next non-empty batch and points at its first series; false at the end. */
async function refill(c: BatchCursor): Promise<boolean> {
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
  await Promise.all(cursors.map(refill));
  let live = cursors.filter((c) => c.batch.length > 0);
  let out: Series[] = [];
  // Cursors at the smallest label set, in set order: one comparison per cursor and series.
  const same: BatchCursor[] = [];
  while (live.length > 0) {
    same.length = 0;
    same.push(live[0]);
    let first = live[0].batch[live[0].i];
    for (let k = 1; k < live.length; k++) {
      const s = live[k].batch[live[k].i];
      const c = compareLabels(s.labels, first.labels);
      if (c > 0) continue;
      if (c < 0) {
        same.length = 0;
        first = s;
      }
      same.push(live[k]);
    }
    let partCount = 0;
    for (const c of same) partCount += c.batch[c.i].parts.length;
    const parts: SeriesPart[] = new Array(partCount);
    let p = 0;
    let mint = first.mint;
    let maxt = first.maxt;
    let ended = false;
    for (const c of same) {
      const s = c.batch[c.i];
      for (let j = 0; j < s.parts.length; j++) parts[p++] = s.parts[j];
      mint = Math.min(mint, s.mint);
      maxt = Math.max(maxt, s.maxt);
      if (++c.i === c.batch.length && !(await refill(c))) ended = true;
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
