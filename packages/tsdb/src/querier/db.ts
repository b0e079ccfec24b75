import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Block } from '../block/reader';
import { Head, replayHeadWal, replayHeadWbl } from '../head';
import { isUlid } from '../meta';
import { MergeQuerier } from './merge';
import { BlockQuerier, HeadQuerier, type Querier } from './querier';

/** Names of the block directories (ULID names) in a data directory, sorted. */
export function blockDirNames(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((name) => isUlid(name) && statSync(join(dataDir, name)).isDirectory())
    .sort();
}

/** A block that could not be opened, with the reason. */
export class BlockOpenError extends Error {
  override readonly name = 'BlockOpenError';
  constructor(
    readonly blockDir: string,
    cause: unknown,
  ) {
    super(`corrupted block ${blockDir}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Opens every block of a data directory, sorted by min time as Prometheus does. */
export async function openBlocks(dataDir: string): Promise<Block[]> {
  const blocks: Block[] = [];
  try {
    for (const name of blockDirNames(dataDir)) {
      const dir = join(dataDir, name);
      try {
        blocks.push(await Block.open(dir));
      } catch (e) {
        throw new BlockOpenError(dir, e);
      }
    }
  } catch (e) {
    await Promise.all(blocks.map((b) => b.close()));
    throw e;
  }
  return blocks.sort((a, b) => a.minTime - b.minTime);
}

/**
 * A Prometheus data directory opened read-only, as `promtool tsdb dump` opens it: all
 * blocks, plus the WAL and then the WBL (out-of-order samples, `wbl/`) replayed into a head
 * when the query reaches past the last block. WAL samples older than the last block's end are
 * dropped (Prometheus' `head.Init`); WBL samples are all kept, as Prometheus 2.42 keeps them.
 */
export class ReadOnlyDb {
  private head: Head | undefined;

  private constructor(
    readonly dir: string,
    readonly blocks: Block[],
  ) {}

  static async open(dir: string): Promise<ReadOnlyDb> {
    return new ReadOnlyDb(dir, await openBlocks(dir));
  }

  /** End of the newest block (exclusive), or MinInt64 when there is none. */
  get maxBlockTime(): number {
    return this.blocks.length === 0 ? Number.MIN_SAFE_INTEGER : this.blocks[this.blocks.length - 1].maxTime;
  }

  /** The head rebuilt from `wal/` and `wbl/` (empty when there are none); replayed on first use. */
  async loadHead(): Promise<Head> {
    if (this.head) return this.head;
    const head = await Head.create();
    head.minValidTime = this.maxBlockTime;
    const walDir = join(this.dir, 'wal');
    const refMap = new Map<number, number>();
    if (existsSync(walDir)) replayHeadWal(head, walDir, undefined, refMap);
    replayHeadWbl(head, join(this.dir, 'wbl'), refMap);
    this.head = head;
    return head;
  }

  /** A querier over the blocks overlapping `[mint, maxt]` and, when needed, the head. */
  async querier(mint: number, maxt: number): Promise<Querier> {
    const queriers: Querier[] = this.blocks
      .filter((b) => b.overlapsClosedInterval(mint, maxt))
      .map((b) => new BlockQuerier(b));
    if (this.maxBlockTime <= maxt) {
      const head = await this.loadHead();
      const ooo = head.oooRange();
      const oooOverlaps = ooo !== undefined && ooo.minTime <= maxt && mint <= ooo.maxTime;
      if (head.numSeries > 0 && (maxt >= head.minTime || oooOverlaps)) queriers.push(new HeadQuerier(head));
    }
    return queriers.length === 1 ? queriers[0] : new MergeQuerier(queriers);
  }

  async close(): Promise<void> {
    await Promise.all(this.blocks.map((b) => b.close()));
  }
}
