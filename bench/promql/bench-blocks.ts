// The benchmark's data as Prometheus blocks, written with our byte-compatible block writer instead of
// promtool's OpenMetrics backfill (which re-reads its input once per block and needs over an hour at
// 10k series). Blocks are cut every 2 h from aligned boundaries, with the meta ranges promtool writes.
import { compareLabels, labelsFromRecord, writeBlockFromSamples, type Labels } from '../../packages/tsdb/src/index';
import type { BenchSeries } from './bench-data';

const BLOCK_RANGE = 2 * 3_600_000;

/** Bench series in the label order blocks (and Prometheus's TSDB) keep. */
export function sortedBenchSeries(series: readonly BenchSeries[]): { labels: Labels; s: BenchSeries }[] {
  return series
    .map((s) => ({ labels: labelsFromRecord(s.labels), s }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}

/** Writes `samples` samples per series every `interval` ms from `start` into 2 h blocks under `dir`. */
export async function writeBenchBlocks(
  dir: string,
  series: readonly BenchSeries[],
  start: number,
  samples: number,
  interval: number,
): Promise<number> {
  const sorted = sortedBenchSeries(series);
  const end = start + (samples - 1) * interval;
  let blocks = 0;
  for (let from = start - (start % BLOCK_RANGE); from <= end; from += BLOCK_RANGE) {
    const first = Math.max(0, Math.ceil((from - start) / interval));
    const last = Math.min(samples, Math.ceil((from + BLOCK_RANGE - start) / interval));
    if (last <= first) continue;
    const n = last - first;
    const timestamps = new Float64Array(n);
    for (let i = 0; i < n; i++) timestamps[i] = start + (first + i) * interval;
    const values = new Float64Array(n);
    function* blockSeries() {
      for (const { labels, s } of sorted) {
        for (let i = 0; i < n; i++) values[i] = s.value(first + i);
        yield { labels, timestamps, values };
      }
    }
    await writeBlockFromSamples(dir, blockSeries(), { fsync: false });
    blocks++;
  }
  return blocks;
}
