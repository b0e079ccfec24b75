import type { Block } from '../block/reader';
import { coveredByOneInterval, type TimedChunk } from '../block/trim';
import type { Head } from '../head';
import type { ChunkMeta } from '../index/format';
import type { Matcher } from '../labels';
import type { Interval } from '../tombstones';
import { nonOverlappingLanes } from './lanes';
import { Series, type SeriesPart } from './series';

/** Selects series by label matchers and an inclusive time range, in label order. */
export interface Querier {
  select(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series>;
  /**
   * The same series in batches of consecutive ones: readers that pass on many series (a
   * StoreAPI answer) take one asynchronous step per batch instead of per series.
   */
  selectBatches(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series[]>;
}

/** Series per batch (and entries fetched from a block's index per read). */
export const SERIES_BATCH = 256;

/** The series of a batched selection one at a time. */
export async function* unbatched(batches: AsyncIterable<Series[]>): AsyncGenerator<Series> {
  for await (const batch of batches) yield* batch;
}

export interface BlockQuerierOptions {
  /**
   * Check each chunk's CRC (default). Queries that only read can skip it, as Prometheus's
   * do: it was a fifth of a receiver's CPU serving a day of blocks.
   */
  verifyChecksums?: boolean;
}

/**
 * Queries one persisted block: postings from the index, then per series the chunks that
 * overlap the range and are not entirely deleted; tombstones are applied when iterating.
 */
export class BlockQuerier implements Querier {
  private readonly verify: boolean;

  constructor(
    readonly block: Block,
    options: BlockQuerierOptions = {},
  ) {
    this.verify = options.verifyChecksums ?? true;
  }

  select(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series> {
    return unbatched(this.selectBatches(matchers, mint, maxt));
  }

  async *selectBatches(matchers: readonly Matcher[], mint: number, maxt: number): AsyncGenerator<Series[]> {
    const { index, chunks: reader, tombstones, syncChunks } = this.block;
    const verify = this.verify;
    const refs = await index.postingsForMatchers(matchers);
    for (let start = 0; start < refs.length; start += SERIES_BATCH) {
      const batch = refs.slice(start, start + SERIES_BATCH);
      const entries = await index.seriesMany(batch);
      const out: Series[] = [];
      for (let i = 0; i < entries.length; i++) {
        const deleted = tombstones.get(batch[i]);
        let chunks: TimedChunk[];
        if (syncChunks) {
          chunks = [];
          for (const m of entries[i].chunks) {
            if (wanted(m, mint, maxt, deleted))
              chunks.push({ minTime: m.mint, maxTime: m.maxt, chunk: reader.chunkSync(m.ref, verify) });
          }
        } else {
          chunks = await Promise.all(
            entries[i].chunks
              .filter((m) => wanted(m, mint, maxt, deleted))
              .map(async (m) => ({ minTime: m.mint, maxTime: m.maxt, chunk: await reader.chunk(m.ref, verify) })),
          );
        }
        if (chunks.length === 0) continue;
        out.push(new Series(entries[i].labels, [{ chunks, deleted }], mint, maxt));
      }
      if (out.length > 0) yield out;
    }
  }
}

/**
 * Queries the in-memory head; its tombstones are applied when iterating. A series' out-of-order
 * chunks come as extra parts after the in-order one, so iteration merges them in time order and
 * an in-order sample wins over an out-of-order one with the same timestamp.
 */
export class HeadQuerier implements Querier {
  constructor(readonly head: Head) {}

  select(matchers: readonly Matcher[], mint: number, maxt: number): AsyncIterable<Series> {
    return unbatched(this.selectBatches(matchers, mint, maxt));
  }

  async *selectBatches(matchers: readonly Matcher[], mint: number, maxt: number): AsyncGenerator<Series[]> {
    let out: Series[] = [];
    for (const s of await this.head.select(matchers, mint, maxt)) {
      const deleted = this.head.deletedIntervals(s.ref);
      const parts: SeriesPart[] = [];
      const chunks = liveChunks(s.chunks(mint, maxt), deleted);
      if (chunks.length > 0) parts.push({ chunks, deleted });
      if (s.ooo)
        for (const lane of nonOverlappingLanes(liveChunks(s.ooo.chunks(mint, maxt), deleted)))
          parts.push({ chunks: lane, deleted });
      if (parts.length === 0) continue;
      out.push(new Series(s.labels, parts, mint, maxt));
      if (out.length === SERIES_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }
}

/** Whether a chunk overlaps `[mint, maxt]` and is not entirely deleted. */
function wanted(m: ChunkMeta, mint: number, maxt: number, deleted: readonly Interval[]): boolean {
  return m.maxt >= mint && m.mint <= maxt && !coveredByOneInterval(m.mint, m.maxt, deleted);
}

/** The chunks not entirely deleted (most series have no deletions: the list itself). */
function liveChunks(chunks: TimedChunk[], deleted: readonly Interval[]): TimedChunk[] {
  return deleted.length === 0 ? chunks : chunks.filter((c) => !coveredByOneInterval(c.minTime, c.maxTime, deleted));
}
