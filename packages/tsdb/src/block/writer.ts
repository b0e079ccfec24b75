import { fsyncSync, mkdirSync, openSync, closeSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chunkNumSamples, type Chunk } from '../chunkenc';
import { ChunkSegmentWriter } from '../chunks';
import { IndexWriter, collectSymbols, type ChunkMeta } from '../index/index';
import { compareLabels, compareStrings, labelsToString, type Labels } from '../labels';
import { META_VERSION_1, newUlid, writeBlockMeta, type BlockDesc, type BlockMeta, type ThanosMeta } from '../meta';
import { TombstoneSet, writeTombstones } from '../tombstones';
import type { TimedChunk } from './trim';

/** Suffix of the directory a block is built in before it is renamed into place (as Prometheus). */
export const TMP_FOR_CREATION_SUFFIX = '.tmp-for-creation';
export const CHUNKS_DIRNAME = 'chunks';
export const INDEX_FILENAME = 'index';

/** One series to write: labels and its encoded chunks, sorted by time and not overlapping. */
export interface BlockSeries {
  labels: Labels;
  chunks: readonly TimedChunk[];
}

export interface WriteBlockOptions {
  /** Inclusive lower bound of the block (meta.json `minTime`). */
  mint: number;
  /** Exclusive upper bound of the block (meta.json `maxTime`). */
  maxt: number;
  /** Block ID; a new ULID by default. */
  ulid?: string;
  /** Compaction level; 1 by default (head blocks and backfills). */
  level?: number;
  /** Level-1 blocks this one was made from; `[ulid]` by default. */
  sources?: string[];
  parents?: BlockDesc[];
  /** `compaction.hints` of meta.json, e.g. `from-out-of-order` for blocks cut from out-of-order samples. */
  hints?: string[];
  /** Thanos section of meta.json (external labels, source, resolution…). */
  thanos?: ThanosMeta;
  /** fsync files and directories (default true; tests may turn it off). */
  fsync?: boolean;
  /** Chunk segment size limit (default 512 MiB as Prometheus). */
  segmentSize?: number;
  /**
   * More strings for the symbol table. Prometheus' head compaction takes the symbols of
   * every head series, including series without samples in the block's range.
   */
  extraSymbols?: Iterable<string>;
  /**
   * Samples in a chunk, for meta.json's `stats.numSamples`; by default the 2-byte header of
   * Prometheus chunks. Chunks without that header (Thanos's AggrChunks) need their own count.
   */
  countSamples?: (chunk: Chunk) => number;
}

export class BlockWriteError extends Error {
  override readonly name = 'BlockWriteError';
}

interface PendingSeries {
  labels: Labels;
  metas: ChunkMeta[];
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function blockSymbols(pending: readonly PendingSeries[], extra: Iterable<string> | undefined): string[] {
  const symbols = collectSymbols(pending.map((p) => p.labels));
  if (extra === undefined) return symbols;
  const all = new Set(symbols);
  for (const s of extra) all.add(s);
  return all.size === symbols.length ? symbols : [...all].sort(compareStrings);
}

/**
 * Writes a complete block directory `<dir>/<ULID>` from series given in label order, as
 * Prometheus' compactor does: one `writeChunks` call per series into `chunks/`, the index,
 * an empty `tombstones` file and `meta.json`, all built in `<ULID>.tmp-for-creation` and
 * renamed into place at the end. Series without chunks are left out. Returns the meta.
 */
export async function writeBlock(
  dir: string,
  series: AsyncIterable<BlockSeries> | Iterable<BlockSeries>,
  options: WriteBlockOptions,
): Promise<BlockMeta> {
  const ulid = options.ulid ?? newUlid();
  const fsync = options.fsync ?? true;
  const tmp = join(dir, ulid + TMP_FOR_CREATION_SUFFIX);
  const final = join(dir, ulid);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const chunkWriter = new ChunkSegmentWriter(join(tmp, CHUNKS_DIRNAME), { fsync, segmentSize: options.segmentSize });
    const pending: PendingSeries[] = [];
    const countSamples = options.countSamples ?? chunkNumSamples;
    let numSamples = 0;
    let numChunks = 0;
    let last: Labels | undefined;
    try {
      for await (const s of series) {
        if (s.chunks.length === 0) continue;
        if (last !== undefined && compareLabels(s.labels, last) <= 0) {
          throw new BlockWriteError(
            `series ${labelsToString(s.labels)} out of order: it must sort after ${labelsToString(last)}`,
          );
        }
        last = s.labels;
        const refs = chunkWriter.writeChunks(s.chunks.map((c) => c.chunk));
        const metas: ChunkMeta[] = new Array(refs.length);
        for (let i = 0; i < refs.length; i++) {
          const c = s.chunks[i];
          metas[i] = { ref: refs[i], mint: c.minTime, maxt: c.maxTime };
          numSamples += countSamples(c.chunk);
        }
        numChunks += refs.length;
        pending.push({ labels: s.labels, metas });
      }
    } finally {
      chunkWriter.close();
    }

    const index = IndexWriter.toFile(join(tmp, INDEX_FILENAME));
    try {
      index.addSymbols(blockSymbols(pending, options.extraSymbols));
      for (const p of pending) index.addSeries(p.labels, p.metas);
      index.close();
    } catch (e) {
      index.abort();
      throw e;
    }

    const meta: BlockMeta = {
      ulid,
      minTime: options.mint,
      maxTime: options.maxt,
      stats: { numSamples, numSeries: pending.length, numChunks },
      compaction: {
        level: options.level ?? 1,
        sources: options.sources ?? [ulid],
        ...(options.parents && { parents: options.parents }),
        ...(options.hints && options.hints.length > 0 && { hints: options.hints }),
      },
      version: META_VERSION_1,
      ...(options.thanos && { thanos: options.thanos }),
    };
    writeBlockMeta(tmp, meta);
    writeTombstones(tmp, new TombstoneSet());
    if (fsync) {
      fsyncDir(join(tmp, CHUNKS_DIRNAME));
      fsyncDir(tmp);
    }
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    if (fsync) fsyncDir(dir);
    return meta;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
