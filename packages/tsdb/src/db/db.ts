import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Head, replayHeadWal, type HeadReplayStats, type ProgressLogger } from '../head';
import { isUlid, readBlockMeta, type BlockMeta } from '../meta';
import { WalWriter } from '../wal';

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

  async close(): Promise<void> {
    await this.wal.close();
  }
}
