// The query benchmark's data as 2 h blocks for runs longer than a receiver's head holds (the issue's
// 24 h): written once by our byte-compatible block writer into Prometheus's data directory and copied
// into the receiver's default-tenant TSDB, so both answer from the same blocks.
import { cpSync, mkdirSync } from 'node:fs';
import { writeBenchBlocks } from '../promql/bench-blocks';
import { INTERVAL, type BenchSeries, type BenchShape } from './bench-data';

/** Writes the blocks; returns how many. */
export async function writeBlockData(
  prometheusDataDir: string,
  receiverTenantDir: string,
  series: readonly BenchSeries[],
  shape: BenchShape,
): Promise<number> {
  const asBlockSeries = series.map((s) => ({
    labels: { __name__: s.name, ...Object.fromEntries(s.labels) },
    value: s.value,
  }));
  mkdirSync(prometheusDataDir, { recursive: true });
  const blocks = await writeBenchBlocks(prometheusDataDir, asBlockSeries, shape.start, shape.samples, INTERVAL);
  cpSync(prometheusDataDir, receiverTenantDir, { recursive: true });
  return blocks;
}
