// Uploads a tenant's completed local blocks to the bucket (Thanos `pkg/shipper`): each
// block once, `meta.json` last, with the tenant's external labels; what was shipped is
// remembered in `thanos.shipper.json` so a restart neither re-uploads nor skips a block.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uploadBlock, type Bucket } from '@thanos-ts/objstore';
import type { Logger } from '@thanos-ts/runtime';
import type { Tsdb } from '@thanos-ts/tsdb';

export const SHIPPER_META_FILE = 'thanos.shipper.json';

export interface ShipperMetrics {
  uploads: (n: number) => void;
  failures: (n: number) => void;
}

export function readShipped(dir: string): Set<string> {
  const file = join(dir, SHIPPER_META_FILE);
  if (!existsSync(file)) return new Set();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; uploaded?: string[] };
    return new Set(parsed.uploaded ?? []);
  } catch {
    // A damaged state file only costs re-checks: every block is looked up in the bucket again.
    return new Set();
  }
}

function writeShipped(dir: string, uploaded: Set<string>): void {
  const file = join(dir, SHIPPER_META_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, uploaded: [...uploaded].sort() }, null, '\t'));
  renameSync(tmp, file);
}

export class Shipper {
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: Tsdb,
    private readonly bucket: Bucket,
    private readonly logger: Logger,
    private readonly metrics: ShipperMetrics,
  ) {}

  /** Blocks of this TSDB already in the bucket. */
  shipped(): Set<string> {
    return readShipped(this.db.dir);
  }

  /** Uploads every level-1 block with samples not shipped yet, oldest first; concurrent calls share one run. */
  sync(): Promise<number> {
    this.running ??= this.syncOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncOnce(): Promise<number> {
    const uploaded = readShipped(this.db.dir);
    let count = 0;
    for (const meta of this.db.blocks()) {
      if (uploaded.has(meta.ulid) || (meta.stats.numSamples ?? 0) === 0 || meta.compaction.level > 1) continue;
      const id = meta.ulid;
      try {
        if (!(await this.bucket.exists(`${id}/meta.json`))) {
          const started = Date.now();
          await uploadBlock(this.bucket, join(this.db.dir, id));
          this.logger.info('block uploaded', { block: id, duration: `${((Date.now() - started) / 1000).toFixed(3)}s` });
          count++;
          this.metrics.uploads(1);
        }
        uploaded.add(id);
        writeShipped(this.db.dir, uploaded);
      } catch (err) {
        this.metrics.failures(1);
        this.logger.error('block upload failed; will retry', { block: id, err });
        break;
      }
    }
    return count;
  }
}
