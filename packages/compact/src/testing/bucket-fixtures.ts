// Helpers for the compactor's tests: a FILESYSTEM bucket in a temp dir, blocks uploaded
// to it with external labels, and dumps of the live blocks through promtool.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FilesystemBucket, uploadBlock, type BlockMeta as BucketMeta } from '@thanos-ts/objstore';
import { createLogger, type Logger } from '@thanos-ts/runtime';
import { fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import {
  labelsFromRecord,
  readBlockMeta,
  writeBlockFromSamples,
  writeBlockMeta,
  type BlockMeta,
} from '@thanos-ts/tsdb';
import { Registry } from 'prom-client';
import { readBucketState } from '../bucket-state';
import { Compactor, type CompactorOptions } from '../compactor';

export const FIXTURE_BLOCKS = join(fixturesDir, 'openmetrics-blocks', 'blocks');
export const FIXTURE_DUMP = join(fixturesDir, 'openmetrics-blocks', 'expected-dump.txt');

export interface TestBucket {
  dir: string;
  bucket: FilesystemBucket;
  /** Scratch space for block building. */
  scratch: string;
  cleanup: () => void;
}

export function testBucket(): TestBucket {
  const t = tempDir('compact-test-');
  const dir = join(t.path, 'bucket');
  const scratch = join(t.path, 'scratch');
  mkdirSync(dir, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  return { dir, bucket: new FilesystemBucket(dir), scratch, cleanup: t.cleanup };
}

/** Adds a Thanos section to a local block's meta.json and uploads it. */
export async function uploadWithLabels(
  tb: TestBucket,
  blockDir: string,
  labels: Record<string, string>,
  resolution = 0,
): Promise<BlockMeta> {
  const meta = readBlockMeta(blockDir);
  const withThanos: BlockMeta = { ...meta, thanos: { labels, downsample: { resolution }, source: 'test' } };
  writeBlockMeta(blockDir, withThanos);
  await uploadBlock(tb.bucket, blockDir);
  return withThanos;
}

/** Uploads copies of the promtool-made fixture blocks with these external labels. */
export async function uploadFixtureBlocks(tb: TestBucket, labels: Record<string, string>): Promise<BlockMeta[]> {
  const metas: BlockMeta[] = [];
  for (const id of readdirSync(FIXTURE_BLOCKS).sort()) {
    const copy = join(tb.scratch, 'fixture-copy', id);
    rmSync(copy, { recursive: true, force: true });
    cpSync(join(FIXTURE_BLOCKS, id), copy, { recursive: true });
    metas.push(await uploadWithLabels(tb, copy, labels));
  }
  return metas;
}

export interface TestSeries {
  labels: Record<string, string>;
  timestamps: number[];
  values: number[];
}

/** Writes a block of the given series (labels must be distinct) and uploads it. */
export async function uploadSamplesBlock(
  tb: TestBucket,
  series: readonly TestSeries[],
  labels: Record<string, string>,
  options?: { mint?: number; maxt?: number; hints?: string[] },
): Promise<BlockMeta> {
  const sorted = series
    .map((s) => ({ labels: labelsFromRecord(s.labels), timestamps: s.timestamps, values: Float64Array.from(s.values) }))
    .sort((a, b) => {
      const x = JSON.stringify(a.labels);
      const y = JSON.stringify(b.labels);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  const out = join(tb.scratch, 'built');
  const meta = await writeBlockFromSamples(out, sorted, { ...options, fsync: false });
  return uploadWithLabels(tb, join(out, meta.ulid), labels);
}

export const quietLogger: Logger = createLogger({ level: 'error', format: 'logfmt' });

export function testCompactor(tb: TestBucket, options: Partial<CompactorOptions> = {}): Compactor {
  return new Compactor({
    bucket: tb.bucket,
    dataDir: join(tb.scratch, 'data'),
    logger: quietLogger,
    registry: new Registry(),
    consistencyDelayMs: 0,
    fsync: false,
    ...options,
  });
}

/** Metas of blocks not marked for deletion. */
export async function liveBlocks(tb: TestBucket): Promise<BucketMeta[]> {
  const state = await readBucketState(tb.bucket);
  return state.blocks.filter((b) => b.deletionTime === undefined).map((b) => b.meta);
}

/** `promtool tsdb dump` over copies of the live blocks (optionally only some resolution). */
export async function dumpLive(tb: TestBucket, resolution = 0): Promise<string> {
  const dir = join(tb.scratch, `dump-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'wal'), { recursive: true });
  for (const m of await liveBlocks(tb)) {
    if (m.thanos.downsample.resolution !== resolution) continue;
    cpSync(join(tb.dir, m.ulid), join(dir, m.ulid), { recursive: true });
    for (const mark of ['deletion-mark.json', 'no-compact-mark.json']) rmSync(join(dir, m.ulid, mark), { force: true });
  }
  const r = promtool(['tsdb', 'dump', dir]);
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`promtool tsdb dump failed: ${r.stderr}`);
  return r.stdout;
}
