// One consistent look at the bucket: every block's meta and markers, partial uploads and
// block directories whose meta.json is unreadable.
import { mapLimit } from '@thanos-ts/runtime';
import {
  DELETION_MARK_FILENAME,
  NO_COMPACT_MARK_FILENAME,
  listBlocks,
  readDeletionMark,
  readNoCompactMark,
  type BlockMeta,
  type Bucket,
  type DeletionMark,
} from '@thanos-ts/objstore';

export const NO_DOWNSAMPLE_MARK_FILENAME = 'no-downsample-mark.json';

/** Reason written into no-compact marks of a quarantined group (beyond Thanos' reasons). */
export const QUARANTINE_REASON = 'quarantined';

/** A no-compact mark; `reason` may be one of Thanos' or {@link QUARANTINE_REASON}. */
export interface NoCompactInfo {
  reason: string;
  details?: string;
  time: number;
}

export interface BlockState {
  meta: BlockMeta;
  /** Unix seconds of the deletion mark, if the block has one. */
  deletionTime?: number;
  noCompact?: NoCompactInfo;
  noDownsample: boolean;
}

export interface BucketState {
  blocks: BlockState[];
  /** Block directories without meta.json. */
  partial: string[];
  /** Block directories whose meta.json or markers cannot be parsed, with the reason. */
  corrupted: { id: string; error: string }[];
}

async function blockState(bucket: Bucket, meta: BlockMeta): Promise<BlockState> {
  const files = new Set<string>();
  for await (const name of bucket.iterate(meta.ulid)) files.add(name.slice(meta.ulid.length + 1));
  const state: BlockState = { meta, noDownsample: files.has(NO_DOWNSAMPLE_MARK_FILENAME) };
  if (files.has(DELETION_MARK_FILENAME)) {
    const mark: DeletionMark | undefined = await readDeletionMark(bucket, meta.ulid);
    state.deletionTime = mark?.deletion_time;
  }
  if (files.has(NO_COMPACT_MARK_FILENAME)) {
    const mark = await readNoCompactMark(bucket, meta.ulid);
    if (mark) state.noCompact = { reason: mark.reason, details: mark.details, time: mark.no_compact_time };
  }
  return state;
}

/** Lists the bucket and reads every block's markers. */
export async function readBucketState(bucket: Bucket, concurrency = 16): Promise<BucketState> {
  const listing = await listBlocks(bucket, { concurrency });
  const corrupted = [...listing.corrupted];
  const states = await mapLimit(listing.blocks, concurrency, async ({ meta }) => {
    try {
      return await blockState(bucket, meta);
    } catch (e) {
      if (e instanceof Error && e.name === 'MarkerError') {
        corrupted.push({ id: meta.ulid, error: e.message });
        return undefined;
      }
      throw e;
    }
  });
  return {
    blocks: states.filter((s): s is BlockState => s !== undefined),
    partial: listing.partial,
    corrupted,
  };
}

/** Writes a quarantine no-compact mark (skipped when the block already has one). */
export async function markQuarantined(bucket: Bucket, id: string, details: string, now: Date): Promise<boolean> {
  const name = `${id}/${NO_COMPACT_MARK_FILENAME}`;
  if (await bucket.exists(name)) return false;
  const mark = {
    id,
    version: 1,
    details,
    no_compact_time: Math.floor(now.getTime() / 1000),
    reason: QUARANTINE_REASON,
  };
  await bucket.upload(name, Buffer.from(JSON.stringify(mark, null, 2)));
  return true;
}
