import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Block, headBlockSeries, headSymbols, writeBlock } from '../block';
import { BlockQuerier, HeadQuerier, MergeQuerier, type Querier } from '../querier';
import { Head, replayHeadWal, type HeadReplayStats, type ProgressLogger } from '../head';
import { isUlid, readBlockMeta, type BlockMeta, type ThanosMeta } from '../meta';
import { checkpoint, deleteCheckpointsBefore, deleteSegmentsBefore, listSegments, WalWriter } from '../wal';

export interface TsdbOptions {
  /** Block duration and head chunk range; default 2h. */
  blockDuration?: number;
  /** Snappy-compress WAL records (Prometheus default). */
  walCompression?: boolean;
  walSegmentSize?: number;
  logger?: ProgressLogger;
}

/** Metas of the complete block directories (ULID-named, with meta.json) under `dir`, oldest first. */
export function listBlockMetas(dir: string): BlockMeta[] {
  if (!existsSync(dir)) return [];
  const metas: BlockMeta[] = [];
  for (const name of readdirSync(dir)) {
    if (!isUlid(name) || !existsSync(join(dir, name, 'meta.json'))) continue;
    metas.push(readBlockMeta(join(dir, name)));
  }
  return metas.sort((a, b) => a.minTime - b.minTime);
}

/**
 * A Prometheus data directory opened for writing: persisted blocks plus a head
 * rebuilt from `wal/`. Opening repairs a torn WAL tail, replays the WAL, and then
 * appends to a fresh segment, so that `promtool tsdb dump` of the directory shows
 * every committed sample at any moment.
 */
export class Tsdb {
  private readonly openBlocks = new Map<string, Promise<Block>>();

  private constructor(
    readonly dir: string,
    readonly head: Head,
    readonly wal: WalWriter,
    readonly replay: HeadReplayStats,
    readonly options: TsdbOptions,
  ) {}

  static async open(dir: string, options: TsdbOptions = {}): Promise<Tsdb> {
    mkdirSync(dir, { recursive: true });
    const walDir = join(dir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const blockDuration = options.blockDuration ?? 2 * 3600_000;
    const replayHead = await Head.create({ chunkRange: blockDuration });
    const blocks = listBlockMetas(dir);
    // Samples already persisted in a block are not replayed into the head again.
    if (blocks.length > 0) replayHead.minValidTime = Math.max(...blocks.map((b) => b.maxTime));
    const started = Date.now();
    const replay = replayHeadWal(replayHead, walDir, options.logger);
    const seconds = (Date.now() - started) / 1000;
    options.logger?.info('WAL replay completed', {
      dir,
      series: replayHead.numSeries,
      samples: replay.samples,
      duration: `${seconds.toFixed(3)}s`,
      samples_per_second: Math.round(replay.samples / Math.max(seconds, 1e-3)),
      ...(replay.tornTail ? { truncated_torn_record: `${replay.tornTail.path}@${replay.tornTail.offset}` } : {}),
    });
    const wal = WalWriter.open(walDir, {
      compress: options.walCompression ?? true,
      segmentSize: options.walSegmentSize,
    });
    const head = replayHead.withWal(wal);
    return new Tsdb(dir, head, wal, replay, options);
  }

  blocks(): BlockMeta[] {
    return listBlockMetas(this.dir);
  }

  get blockDuration(): number {
    return this.head.chunkRange;
  }

  /**
   * Whether the head spans more than 1.5 block durations: then its oldest aligned block
   * is complete enough to persist (Prometheus's `compactable`).
   */
  compactable(): boolean {
    const h = this.head;
    return Number.isFinite(h.minTime) && h.maxTime - h.minTime > this.blockDuration * 1.5;
  }

  /**
   * Persists the oldest aligned block-duration window of the head as a block, then drops
   * that data from the head and checkpoints the WAL. Returns the block's meta, or undefined
   * when the window held no samples.
   */
  async compactOldestHeadBlock(thanos?: ThanosMeta): Promise<BlockMeta | undefined> {
    const h = this.head;
    const d = this.blockDuration;
    const mint = Math.floor(h.minTime / d) * d;
    return this.compactHeadRange(mint, mint + d, thanos);
  }

  /** Persists every head sample (e.g. on shutdown) as blocks along block-duration boundaries. */
  async flushHead(thanos?: ThanosMeta): Promise<BlockMeta[]> {
    const out: BlockMeta[] = [];
    const d = this.blockDuration;
    while (Number.isFinite(this.head.minTime)) {
      const mint = Math.floor(this.head.minTime / d) * d;
      const meta = await this.compactHeadRange(mint, Math.min(mint + d, this.head.maxTime + 1), thanos);
      if (meta) out.push(meta);
    }
    return out;
  }

  /** Writes [mint, maxt) of the head as a block and truncates the head and WAL before maxt. */
  async compactHeadRange(mint: number, maxt: number, thanos?: ThanosMeta): Promise<BlockMeta | undefined> {
    const started = Date.now();
    let meta: BlockMeta | undefined = await writeBlock(this.dir, headBlockSeries(this.head, mint, maxt), {
      mint,
      maxt,
      thanos,
      extraSymbols: headSymbols(this.head),
    });
    if (meta.stats.numSamples === 0) {
      rmSync(join(this.dir, meta.ulid), { recursive: true, force: true });
      meta = undefined;
    }
    this.head.truncate(maxt);
    await this.truncateWal(maxt);
    this.options.logger?.info('head compacted', {
      dir: this.dir,
      block: meta?.ulid ?? 'none (no samples)',
      mint,
      maxt,
      duration: `${((Date.now() - started) / 1000).toFixed(3)}s`,
    });
    return meta;
  }

  /**
   * Moves logging to a new segment and folds every older segment into a checkpoint that
   * keeps the live series and samples at or after `mint`, so the WAL stops growing.
   */
  private async truncateWal(mint: number): Promise<void> {
    const walDir = join(this.dir, 'wal');
    const current = this.wal.nextSegment();
    const older = listSegments(walDir).filter((s) => s.index < current);
    if (older.length === 0) return;
    const first = older[0].index;
    const last = older[older.length - 1].index;
    const head = this.head;
    await checkpoint(walDir, first, last, (ref) => head.seriesByRef(ref) !== undefined, mint, {
      compress: this.options.walCompression ?? true,
    });
    deleteSegmentsBefore(walDir, last + 1);
    deleteCheckpointsBefore(walDir, last);
  }

  /**
   * Deletes blocks that ended more than `retentionMs` before `now`, except those for which
   * `keep` says no (e.g. not yet shipped). Returns the deleted block IDs.
   */
  applyRetention(retentionMs: number, now: number, keep: (meta: BlockMeta) => boolean = () => false): string[] {
    if (retentionMs <= 0) return [];
    const deleted: string[] = [];
    for (const b of this.blocks()) {
      if (b.maxTime >= now - retentionMs || keep(b)) continue;
      rmSync(join(this.dir, b.ulid), { recursive: true, force: true });
      deleted.push(b.ulid);
    }
    return deleted;
  }

  /**
   * A querier over every persisted block and the head. Blocks are opened once and kept;
   * blocks deleted since the last call are closed.
   */
  async querier(): Promise<Querier> {
    const metas = this.blocks();
    const live = new Set(metas.map((m) => m.ulid));
    for (const [id, b] of this.openBlocks) {
      if (!live.has(id)) {
        this.openBlocks.delete(id);
        void b.then((x) => x.close()).catch(() => {});
      }
    }
    const blocks: Block[] = [];
    for (const m of metas) {
      let b = this.openBlocks.get(m.ulid);
      if (!b) {
        b = Block.open(join(this.dir, m.ulid));
        this.openBlocks.set(m.ulid, b);
        b.catch(() => this.openBlocks.delete(m.ulid));
      }
      blocks.push(await b);
    }
    return new MergeQuerier([...blocks.map((b) => new BlockQuerier(b)), new HeadQuerier(this.head)]);
  }

  async close(): Promise<void> {
    await this.wal.close();
    for (const b of this.openBlocks.values()) await (await b).close();
    this.openBlocks.clear();
  }
}
