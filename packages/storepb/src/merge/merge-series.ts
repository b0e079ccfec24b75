// k-way merge of sorted Series streams from several stores (the Thanos proxy's
// ordering): output is sorted by label set, and series with identical label sets are
// joined into one whose chunks are the distinct chunks of all of them in time order.
import { compareLabels, labelsEqual } from '../labels/labels';
import type { Series } from '../types';
import { mergeChunks } from './chunk-dedup';

/**
 * A sorted stream of series, one at a time or in batches (arrays of consecutive series):
 * batches let a stream that receives many series at once hand them on without an
 * asynchronous step per series.
 */
export type SeriesSource = AsyncIterable<Series | readonly Series[]> | Iterable<Series | readonly Series[]>;

type SourceIterator = AsyncIterator<Series | readonly Series[]> | Iterator<Series | readonly Series[]>;

interface Cursor {
  it: SourceIterator;
  /** The batch being read and the position of `head` in it. */
  batch: readonly Series[];
  pos: number;
  head: Series;
  /** Stream index: ties between equal label sets keep stream order. */
  index: number;
}

function before(a: Cursor, b: Cursor): boolean {
  const c = compareLabels(a.head.labels, b.head.labels);
  return c < 0 || (c === 0 && a.index < b.index);
}

/** A binary min-heap of stream cursors keyed by their head series. */
class CursorHeap {
  readonly items: Cursor[] = [];

  push(c: Cursor): void {
    const h = this.items;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  /** Restores heap order after the top cursor advanced. */
  fixTop(): void {
    const h = this.items;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  popTop(): void {
    const h = this.items;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.fixTop();
    }
  }
}

function iteratorOf(src: SeriesSource): SourceIterator {
  return Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
}

/** The next non-empty batch of a stream (a single series as a batch of one), or undefined at its end. */
async function nextBatch(it: SourceIterator): Promise<readonly Series[] | undefined> {
  for (;;) {
    const r = await it.next();
    if (r.done) return undefined;
    const v = r.value;
    if (!Array.isArray(v)) return [v as Series];
    if (v.length > 0) return v;
  }
}

/**
 * k-way merge of sorted series streams into batches of merged series: each batch holds
 * what could be merged before the next wait for a stream, so a store's frame of 64
 * series passes through as one step. Series with equal label sets (within or across
 * streams) are joined into one.
 */
export async function* mergeSeriesBatches(sources: readonly SeriesSource[]): AsyncGenerator<Series[]> {
  const heap = new CursorHeap();
  const iterators = sources.map(iteratorOf);
  try {
    await Promise.all(
      iterators.map(async (it, index) => {
        const batch = await nextBatch(it);
        if (batch) heap.push({ it, batch, pos: 0, head: batch[0], index });
      }),
    );
    let out: Series[] = [];
    let group: Series[] = [];
    while (heap.items.length > 0) {
      const top = heap.items[0];
      if (group.length > 0 && !labelsEqual(group[0].labels, top.head.labels)) {
        out.push(joinSeries(group));
        group = [];
      }
      group.push(top.head);
      if (++top.pos < top.batch.length) {
        top.head = top.batch[top.pos];
        heap.fixTop();
        continue;
      }
      if (out.length > 0) {
        yield out;
        out = [];
      }
      const batch = await nextBatch(top.it);
      if (batch === undefined) heap.popTop();
      else {
        top.batch = batch;
        top.pos = 0;
        top.head = batch[0];
        heap.fixTop();
      }
    }
    if (group.length > 0) out.push(joinSeries(group));
    if (out.length > 0) yield out;
  } finally {
    // Stop the other streams when the consumer stops early (or one stream failed).
    await Promise.allSettled(iterators.map((it) => it.return?.()));
  }
}

/** {@link mergeSeriesBatches} one series at a time. */
export async function* mergeSeriesSets(sources: readonly SeriesSource[]): AsyncGenerator<Series> {
  for await (const batch of mergeSeriesBatches(sources)) yield* batch;
}

/** Chunks strictly ascending by (minTime, maxTime) cannot hold two identical chunks. */
function strictlyOrdered(chunks: Series['chunks']): boolean {
  for (let i = 1; i < chunks.length; i++) {
    const a = chunks[i - 1];
    const b = chunks[i];
    if (a.minTime > b.minTime || (a.minTime === b.minTime && a.maxTime >= b.maxTime)) return false;
  }
  return true;
}

function joinSeries(group: Series[]): Series {
  if (group.length === 1 && strictlyOrdered(group[0].chunks)) return group[0];
  return { labels: group[0].labels, chunks: mergeChunks(group.map((s) => s.chunks)) };
}
