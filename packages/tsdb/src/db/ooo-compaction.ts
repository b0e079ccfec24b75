import { SeriesChunkBuilder } from '../chunkenc';
import type { BlockSeries } from '../block';
import type { Head, HeadChunk, MemSeries } from '../head';
import { compareLabels } from '../labels';
import { nonOverlappingLanes, Series, SeriesIterator } from '../querier';

/** `compaction.hints` entry of blocks written from out-of-order samples (Prometheus' `SetOutOfOrder`). */
export const OUT_OF_ORDER_HINT = 'from-out-of-order';

/** The out-of-order chunks an out-of-order compaction persists, per series in label order. */
export interface OooSnapshot {
  series: Array<{ series: MemSeries; chunks: HeadChunk[] }>;
  minTime: number;
  maxTime: number;
}

/**
 * Seals the out-of-order data of every series (Prometheus' `NewOOOCompactionHead`): the chunks
 * held now are what gets compacted; samples inserted while the blocks are written go to new
 * chunks and stay in the head.
 */
export function sealOutOfOrder(head: Head): OooSnapshot {
  const series = [...head.oooSeries]
    .sort((a, b) => compareLabels(a.labels, b.labels))
    .map((s) => ({ series: s, chunks: s.ooo!.seal() }));
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (const { chunks } of series) {
    for (const c of chunks) {
      minTime = Math.min(minTime, c.minTime);
      maxTime = Math.max(maxTime, c.maxTime);
    }
  }
  return { series, minTime, maxTime };
}

/**
 * The snapshot's samples in `[mint, maxt)` as block series: each series' chunks merged in time
 * order, one sample per timestamp, deleted samples left out, cut into chunks as the head cuts.
 */
export function* outOfOrderBlockSeries(
  head: Head,
  snapshot: OooSnapshot,
  mint: number,
  maxt: number,
): Generator<BlockSeries> {
  const builder = new SeriesChunkBuilder(head.chunkRange);
  const it = new SeriesIterator();
  for (const { series, chunks } of snapshot.series) {
    const inRange = chunks.filter((c) => c.maxTime >= mint && c.minTime < maxt);
    if (inRange.length === 0) continue;
    const deleted = head.deletedIntervals(series.ref);
    const parts = nonOverlappingLanes(inRange).map((lane) => ({ chunks: lane, deleted }));
    new Series(series.labels, parts, mint, maxt - 1).iterator(it);
    while (it.next()) builder.appendBits(it.t, it.vHi, it.vLo);
    const built = builder.finish();
    if (built.length > 0) yield { labels: series.labels, chunks: built };
  }
}

/** Forgets the snapshot's chunks once they are in blocks; series left without out-of-order data leave the set. */
export function releaseOutOfOrder(head: Head, snapshot: OooSnapshot): void {
  for (const { series, chunks } of snapshot.series) {
    if (series.ooo!.drop(chunks)) head.oooSeries.delete(series);
  }
}
