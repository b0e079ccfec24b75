import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Block, headBlockSeries, headSymbols, writeBlock } from '../block';
import { BlockQuerier, HeadQuerier, MergeQuerier, type Querier } from '../querier';
import {
  Head,
  replayHeadWal,
  replayHeadWbl,
  type HeadReplayStats,
  type ProgressLogger,
  type WblReplayStats,
} from '../head';
import { isUlid, readBlockMeta, type BlockMeta, type ThanosMeta } from '../meta';
import { checkpoint, deleteCheckpointsBefore, deleteSegmentsBefore, listSegments, WalWriter } from '../wal';
import { OUT_OF_ORDER_HINT, outOfOrderBlockSeries, releaseOutOfOrder, sealOutOfOrder } from './ooo-compaction';

/** Directory of the write-behind log of out-of-order samples (Prometheus' `wlog.WblDirName`). */
export const WBL_DIRNAME = 'wbl';

export interface TsdbOptions {
  /** Block duration and head chunk range; default 2h. */
  blockDuration?: number;
  /** Snappy-compress WAL records (Prometheus default). */
  walCompression?: boolean;
  walSegmentSize?: number;
  logger?: ProgressLogger;
  /**
   * Accept samples up to this many ms older than the head's newest one even when out of order
   * (Prometheus' `out_of_order_time_window`); 0 (default) refuses them. They are logged to
   * `wbl/` and persisted in their own blocks, hinted `from-out-of-order`.
   */
  outOfOrderTimeWindow?: number;
  /** Samples per in-memory out-of-order chunk, 1..255; 0 or less means the default 32. */
  outOfOrderCapMax?: number;
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
    /** The out-of-order sample log; open only when the out-of-order window is above 0. */
    readonly wbl: WalWriter | undefined,
    readonly wblReplay: WblReplayStats,
  ) {}

  static async open(dir: string, options: TsdbOptions = {}): Promise<Tsdb> {
    mkdirSync(dir, { recursive: true });
    const walDir = join(dir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const blockDuration = options.blockDuration ?? 2 * 3600_000;
    const capMax = options.outOfOrderCapMax ?? 0;
    const replayHead = await Head.create({
      chunkRange: blockDuration,
      outOfOrderTimeWindow: options.outOfOrderTimeWindow,
      outOfOrderCapMax: capMax > 0 ? capMax : undefined,
    });
    const blocks = listBlockMetas(dir);
    // Samples already persisted in a block are not replayed into the head again.
    if (blocks.length > 0) replayHead.minValidTime = Math.max(...blocks.map((b) => b.maxTime));
    const started = Date.now();
    const refMap = new Map<number, number>();
    const replay = replayHeadWal(replayHead, walDir, options.logger, refMap);
    const seconds = (Date.now() - started) / 1000;
    options.logger?.info('WAL replay completed', {
      dir,
      series: replayHead.numSeries,
      samples: replay.samples,
      duration: `${seconds.toFixed(3)}s`,
      samples_per_second: Math.round(replay.samples / Math.max(seconds, 1e-3)),
      ...(replay.tornTail ? { truncated_torn_record: `${replay.tornTail.path}@${replay.tornTail.offset}` } : {}),
    });
    // Out-of-order samples are replayed even when the window is 0 now, as Prometheus does.
    const wblDir = join(dir, WBL_DIRNAME);
    const wblReplay = replayHeadWbl(replayHead, wblDir, refMap);
    if (wblReplay.records > 0) {
      options.logger?.info('WBL replay completed', {
        dir,
        samples: wblReplay.samples,
        unknown_series_samples: wblReplay.unknownSeriesSamples,
        ...(wblReplay.tornTail
          ? { truncated_torn_record: `${wblReplay.tornTail.path}@${wblReplay.tornTail.offset}` }
          : {}),
      });
    }
    const logOptions = { compress: options.walCompression ?? true, segmentSize: options.walSegmentSize };
    const wal = WalWriter.open(walDir, logOptions);
    const wbl = replayHead.outOfOrderTimeWindow > 0 ? WalWriter.open(wblDir, logOptions) : undefined;
    const head = replayHead.withWal(wal).withWbl(wbl);
    return new Tsdb(dir, head, wal, replay, options, wbl, wblReplay);
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
    // The block starts at the head's first sample, as Prometheus's head compaction does: after
    // a partial flush (shutdown) the rest of that window must not overlap the flushed block.
    const meta = await this.compactHeadRange(h.minTime, Math.floor(h.minTime / d) * d + d, thanos);
    // As Prometheus: once the head was compacted, its out-of-order samples are persisted too.
    await this.compactOutOfOrderHead(thanos);
    return meta;
  }

  /** Persists every head sample (e.g. on shutdown) as blocks along block-duration boundaries. */
  async flushHead(thanos?: ThanosMeta): Promise<BlockMeta[]> {
    const out: BlockMeta[] = [];
    const d = this.blockDuration;
    while (Number.isFinite(this.head.minTime)) {
      const mint = this.head.minTime;
      const end = Math.floor(mint / d) * d + d;
      const meta = await this.compactHeadRange(mint, Math.min(end, this.head.maxTime + 1), thanos);
      if (meta) out.push(meta);
    }
    out.push(...(await this.compactOutOfOrderHead(thanos)));
    return out;
  }

  /**
   * Persists every out-of-order sample of the head as blocks, one per block-duration-aligned
   * window holding any, with `compaction.hints: ["from-out-of-order"]` (Prometheus'
   * `compactOOOHead`), then forgets those samples and deletes the WBL segments that held them.
   * These blocks may overlap in-order blocks: queries merge them, the compactor merges them
   * vertically. Returns the metas of the blocks written.
   */
  async compactOutOfOrderHead(thanos?: ThanosMeta): Promise<BlockMeta[]> {
    const head = this.head;
    const wblDir = join(this.dir, WBL_DIRNAME);
    if (head.oooSeries.size === 0) {
      // Nothing logged before the current segment is still needed (every open starts a segment).
      deleteSegmentsBefore(wblDir, this.wbl ? this.wbl.currentSegment : Infinity);
      return [];
    }
    const started = Date.now();
    const snapshot = sealOutOfOrder(head);
    // Samples logged from here on are not in the snapshot: their segment must stay.
    const keepFrom = this.wbl ? this.wbl.nextSegment() : Infinity;
    const d = this.blockDuration;
    const written: BlockMeta[] = [];
    try {
      for (let mint = Math.floor(snapshot.minTime / d) * d; mint <= snapshot.maxTime; mint += d) {
        const meta = await writeBlock(this.dir, outOfOrderBlockSeries(head, snapshot, mint, mint + d), {
          mint,
          maxt: mint + d,
          thanos,
          hints: [OUT_OF_ORDER_HINT],
          extraSymbols: headSymbols(head),
        });
        if (meta.stats.numSamples === 0) rmSync(join(this.dir, meta.ulid), { recursive: true, force: true });
        else written.push(meta);
      }
    } catch (err) {
      for (const m of written) rmSync(join(this.dir, m.ulid), { recursive: true, force: true });
      throw err;
    }
    releaseOutOfOrder(head, snapshot);
    deleteSegmentsBefore(wblDir, keepFrom);
    this.options.logger?.info('out-of-order compaction completed', {
      dir: this.dir,
      blocks: written.map((m) => m.ulid).join(',') || 'none (no samples)',
      duration: `${((Date.now() - started) / 1000).toFixed(3)}s`,
    });
    return written;
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
    // Serving queries: chunks are read without their CRC, as Prometheus reads them.
    const verifyChecksums = false;
    return new MergeQuerier([
      ...blocks.map((b) => new BlockQuerier(b, { verifyChecksums })),
      new HeadQuerier(this.head),
    ]);
  }

  async close(): Promise<void> {
    await this.wal.close();
    await this.wbl?.close();
    for (const b of this.openBlocks.values()) await (await b).close();
    this.openBlocks.clear();
  }
}
