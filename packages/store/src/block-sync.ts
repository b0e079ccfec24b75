// The store gateway's view of the bucket (Thanos's meta fetcher and its filters): one
// listing finds block directories, their meta.json files and deletion marks; metas are
// immutable, so each is read once; filters then pick the blocks to serve.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BlockMetaError,
  DELETION_MARK_FILENAME,
  isObjNotFoundErr,
  isUlid,
  MarkerError,
  META_FILENAME,
  parseBlockMeta,
  readDeletionMark,
  type BlockMeta,
  type Bucket,
} from '@thanos-ts/objstore';
import { relabel, type RelabelRule } from './relabel';

export interface BlockFilters {
  /** Serve blocks overlapping [minTime, maxTime] (ms, inclusive). */
  minTime: number;
  maxTime: number;
  /** `--selector.relabel-config`, evaluated on external labels plus `__block_id`. */
  relabel: readonly RelabelRule[];
  /** Blocks whose deletion mark is older than this are ignored. */
  ignoreDeletionMarksDelayMs: number;
}

/** Counts per state, as `thanos_blocks_meta_synced{state}`. */
export type SyncStates = Record<
  | 'loaded'
  | 'partial'
  | 'marked-for-deletion'
  | 'time-excluded'
  | 'label-excluded'
  | 'duplicate'
  | 'corrupted-meta-json',
  number
>;

export interface SyncResult {
  metas: BlockMeta[];
  states: SyncStates;
  /** Block directories whose meta.json is unreadable, with the reason. */
  corrupted: { id: string; error: string }[];
}

interface Listed {
  hasMeta: boolean;
  hasDeletionMark: boolean;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Drops blocks whose sources are all covered by another block of the same resolution (Thanos's deduplicate filter). */
function withoutDuplicates(metas: BlockMeta[]): { kept: BlockMeta[]; dropped: number } {
  const sourcesOf = (m: BlockMeta) => new Set(m.compaction.sources ?? [m.ulid]);
  const resOf = (m: BlockMeta) => m.thanos.downsample?.resolution ?? 0;
  const kept = metas.filter((m) => {
    const mine = sourcesOf(m);
    return !metas.some((other) => {
      if (other === m || resOf(other) !== resOf(m)) return false;
      const theirs = sourcesOf(other);
      if (theirs.size < mine.size || ![...mine].every((s) => theirs.has(s))) return false;
      // Equal source sets: keep the one with the greater ULID.
      return theirs.size > mine.size || other.ulid > m.ulid;
    });
  });
  return { kept, dropped: metas.length - kept.length };
}

export class BlockMetaFetcher {
  private readonly metas = new Map<string, BlockMeta>();

  /**
   * `cacheDir` (Thanos's `<data-dir>/meta-syncer`) keeps a copy of every meta.json read,
   * so a restart only lists the bucket instead of fetching each meta again.
   */
  constructor(
    private readonly bucket: Bucket,
    private readonly filters: BlockFilters,
    private readonly concurrency = 32,
    private readonly cacheDir?: string,
  ) {}

  /** meta.json of a block: from memory, the local copy, or the bucket (then copied locally). */
  private async readMeta(id: string): Promise<BlockMeta> {
    const known = this.metas.get(id);
    if (known) return known;
    const name = `${id}/${META_FILENAME}`;
    const local = this.cacheDir && join(this.cacheDir, id, META_FILENAME);
    let meta: BlockMeta | undefined;
    if (local)
      meta = await readFile(local, 'utf8').then(
        (text) => parseBlockMeta(text, local),
        () => undefined,
      );
    if (!meta) {
      const text = Buffer.from(await this.bucket.get(name)).toString('utf8');
      meta = parseBlockMeta(text, name);
      if (local) {
        await mkdir(join(this.cacheDir!, id), { recursive: true });
        await writeFile(`${local}.tmp`, text);
        await rename(`${local}.tmp`, local);
      }
    }
    this.metas.set(id, meta);
    return meta;
  }

  /** Removes local meta copies of blocks that left the bucket. */
  private async pruneCache(present: ReadonlySet<string>): Promise<void> {
    if (!this.cacheDir) return;
    const entries = await readdir(this.cacheDir).catch(() => [] as string[]);
    for (const id of entries) if (!present.has(id)) await rm(join(this.cacheDir, id), { recursive: true, force: true });
  }

  /** Lists the bucket and returns the metas of the blocks to serve. Throws when the bucket cannot be listed. */
  async fetch(now = Date.now()): Promise<SyncResult> {
    const listed = new Map<string, Listed>();
    for await (const name of this.bucket.iterate('', { recursive: true })) {
      const slash = name.indexOf('/');
      const id = name.slice(0, slash);
      if (slash < 0 || !isUlid(id)) continue;
      let e = listed.get(id);
      if (!e) listed.set(id, (e = { hasMeta: false, hasDeletionMark: false }));
      const rel = name.slice(slash + 1);
      if (rel === META_FILENAME) e.hasMeta = true;
      else if (rel === DELETION_MARK_FILENAME) e.hasDeletionMark = true;
    }
    const states: SyncStates = {
      loaded: 0,
      partial: 0,
      'marked-for-deletion': 0,
      'time-excluded': 0,
      'label-excluded': 0,
      duplicate: 0,
      'corrupted-meta-json': 0,
    };
    const corrupted: SyncResult['corrupted'] = [];
    const candidates: BlockMeta[] = [];
    const ids = [...listed.keys()].sort();
    for (const id of this.metas.keys()) if (!listed.get(id)?.hasMeta) this.metas.delete(id);
    await mapLimit(ids, this.concurrency, async (id) => {
      const e = listed.get(id)!;
      if (!e.hasMeta) {
        states.partial++;
        return;
      }
      let meta: BlockMeta;
      try {
        meta = await this.readMeta(id);
      } catch (err) {
        if (isObjNotFoundErr(err)) {
          states.partial++;
          return;
        }
        if (!(err instanceof BlockMetaError)) throw err;
        states['corrupted-meta-json']++;
        corrupted.push({ id, error: (err as Error).message });
        return;
      }
      if (e.hasDeletionMark) {
        const mark = await readDeletionMark(this.bucket, id).catch((err: unknown) => {
          if (err instanceof MarkerError) return undefined;
          throw err;
        });
        if (mark && now - mark.deletion_time * 1000 > this.filters.ignoreDeletionMarksDelayMs) {
          states['marked-for-deletion']++;
          return;
        }
      }
      if (meta.maxTime <= this.filters.minTime || meta.minTime > this.filters.maxTime) {
        states['time-excluded']++;
        return;
      }
      if (
        this.filters.relabel.length > 0 &&
        !relabel({ ...meta.thanos.labels, __block_id: id }, this.filters.relabel)
      ) {
        states['label-excluded']++;
        return;
      }
      candidates.push(meta);
    });
    await this.pruneCache(new Set(ids.filter((id) => listed.get(id)!.hasMeta)));
    const { kept, dropped } = withoutDuplicates(candidates);
    states.duplicate = dropped;
    states.loaded = kept.length;
    kept.sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
    return { metas: kept, states, corrupted };
  }
}
