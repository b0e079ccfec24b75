// Deterministic synthetic blocks written straight into a filesystem bucket's directory
// (a block directory is the bucket layout), for tests and benchmarks with many blocks.
import { writeBlockFromSamples } from '@thanos-ts/tsdb';

export interface SyntheticBlocksOptions {
  blocks: number;
  seriesPerBlock: number;
  /** Sample spacing in ms. */
  scrapeIntervalMs: number;
  blockDurationMs: number;
  start: number;
  labels: Record<string, string>;
  /** Downsampling resolution recorded in meta.json. */
  resolution?: number;
}

/** Labels of series `i` (sorted by name, and series sorted by label set). */
export function syntheticLabels(i: number): { name: string; value: string }[] {
  return [
    { name: '__name__', value: 'synthetic_metric' },
    { name: 'instance', value: `host-${String(i).padStart(5, '0')}` },
    { name: 'job', value: i % 2 === 0 ? 'even' : 'odd' },
  ];
}

/** The value of series `i` at `t` (a counter-like ramp). */
export function syntheticValue(i: number, t: number): number {
  return (t / 1000) * (i + 1);
}

/** Writes the blocks into `dir`; returns their ULIDs in time order. */
export async function writeSyntheticBlocks(dir: string, o: SyntheticBlocksOptions): Promise<string[]> {
  const perBlock = Math.floor(o.blockDurationMs / o.scrapeIntervalMs);
  const ids: string[] = [];
  for (let b = 0; b < o.blocks; b++) {
    const mint = o.start + b * o.blockDurationMs;
    const timestamps = Float64Array.from({ length: perBlock }, (_, k) => mint + k * o.scrapeIntervalMs);
    const series = Array.from({ length: o.seriesPerBlock }, (_, i) => ({
      labels: syntheticLabels(i),
      timestamps,
      values: Float64Array.from(timestamps, (t) => syntheticValue(i, t)),
    }));
    const meta = await writeBlockFromSamples(dir, series, {
      mint,
      maxt: mint + o.blockDurationMs,
      fsync: false,
      thanos: { labels: o.labels, downsample: { resolution: o.resolution ?? 0 }, source: 'test' },
    });
    ids.push(meta.ulid);
  }
  return ids;
}
