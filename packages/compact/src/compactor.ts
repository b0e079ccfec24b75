// One compactor iteration over a bucket (spec/thanos.md §10.1): garbage-collect covered
// blocks, compact every group, downsample, apply retention, then clean partial uploads and
// delete blocks whose deletion mark is old enough. A group that fails unexpectedly is
// quarantined (its blocks get a no-compact mark) while the other groups go on.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ObjstoreOperationError,
  deleteBlock,
  downloadBlock,
  markForDeletion,
  markNoCompact,
  uploadBlock,
  type BlockMeta,
  type Bucket,
} from '@thanos-ts/objstore';
import { mapLimit, type Logger } from '@thanos-ts/runtime';
import { ulidTime } from '@thanos-ts/tsdb';
import type { Registry } from 'prom-client';
import { buildBucketView, type BucketView } from './bucket-view';
import { compactBlocks, downsampleBlock, openBlocks } from './block-build';
import { QUARANTINE_REASON, markQuarantined, readBucketState, type BlockState, type BucketState } from './bucket-state';
import { RESOLUTION_1H, RESOLUTION_5M, RESOLUTION_RAW } from './downsample';
import { formatLabelSet, groupBlocks, initGroupHashing, type Group } from './groups';
import { CompactorMetrics } from './metrics';
import { DEFAULT_COMPACTION_RANGES, planCompaction, type Plan } from './planner';
import {
  KEEP_FOREVER,
  isExpired,
  loadRetentionOverrides,
  retentionFor,
  type Retention,
  type RetentionOverride,
} from './retention';
import type { DedupFunc } from './series-merge';

const HOUR = 3_600_000;
/** Raw blocks are downsampled to 5m once they span 40h; 5m blocks to 1h once they span 10 days. */
export const DOWNSAMPLE_RANGES: readonly [number, number, number][] = [
  [RESOLUTION_RAW, RESOLUTION_5M, 40 * HOUR],
  [RESOLUTION_5M, RESOLUTION_1H, 10 * 24 * HOUR],
];
/** Partial uploads are deleted once older than this (Thanos' `PartialUploadThresholdAge`). */
const PARTIAL_UPLOAD_THRESHOLD_MS = 48 * HOUR;

/** Points where tests make the compactor crash (or slow down) to check it recovers. */
export type CrashPoint = 'after-download' | 'before-upload' | 'after-upload' | 'after-mark';

export interface CompactorOptions {
  bucket: Bucket;
  /** Scratch directory for downloaded and new blocks. */
  dataDir: string;
  logger: Logger;
  registry: Registry;
  consistencyDelayMs?: number;
  deleteDelayMs?: number;
  enableVerticalCompaction?: boolean;
  replicaLabels?: string[];
  dedupFunc?: DedupFunc;
  downsampling?: boolean;
  retention?: Retention;
  /** YAML file with per-label-set retention overrides, re-read every iteration. */
  retentionOverridesFile?: string;
  /** Groups compacted in parallel. */
  concurrency?: number;
  /** Thanos' behaviour: stop all work at the first unexpected group error instead of quarantining the group. */
  haltOnError?: boolean;
  ranges?: readonly number[];
  now?: () => number;
  fsync?: boolean;
  /** Called at crash points (tests). */
  hook?: (point: CrashPoint, detail: { block?: string; group: string }) => void | Promise<void>;
}

/** An error that stops a group (or the whole compactor with --compact.halt-on-error). */
export class HaltError extends Error {
  override readonly name = 'HaltError';
}

/** Errors worth retrying next iteration (object store trouble) rather than quarantining. */
function isRetriable(e: unknown): boolean {
  return e instanceof ObjstoreOperationError;
}

export interface IterationResult {
  compactions: number;
  downsamples: number;
  markedForDeletion: number;
  deleted: number;
  /** Groups quarantined in this iteration, with the error. */
  quarantined: { group: string; error: string }[];
  /** Set when --compact.halt-on-error stopped the compactor. */
  halted?: string;
  /** Partial uploads and unreadable blocks seen (reported, never compacted). */
  partial: string[];
  corrupted: { id: string; error: string }[];
}

export class Compactor {
  readonly metrics: CompactorMetrics;
  private haltReason: string | undefined;
  private readonly opts: Required<Omit<CompactorOptions, 'retentionOverridesFile' | 'hook'>> &
    Pick<CompactorOptions, 'retentionOverridesFile' | 'hook'>;

  constructor(options: CompactorOptions) {
    this.opts = {
      consistencyDelayMs: 30 * 60_000,
      deleteDelayMs: 48 * HOUR,
      enableVerticalCompaction: false,
      replicaLabels: [],
      dedupFunc: '',
      downsampling: true,
      retention: KEEP_FOREVER,
      concurrency: 1,
      haltOnError: false,
      ranges: DEFAULT_COMPACTION_RANGES,
      now: Date.now,
      fsync: true,
      ...options,
    };
    this.metrics = new CompactorMetrics(options.registry);
    this.metrics.deleteDelay.set(this.opts.deleteDelayMs / 1000);
  }

  /** Why the compactor halted (--compact.halt-on-error), if it did. */
  get halted(): string | undefined {
    return this.haltReason;
  }

  /** The bucket as the UI shows it, with this compactor's replica labels and halt state. */
  view(state: BucketState): BucketView {
    return buildBucketView(state, this.opts.replicaLabels, this.opts.now(), this.haltReason);
  }

  private get vertical(): boolean {
    return this.opts.enableVerticalCompaction || this.opts.replicaLabels.length > 0;
  }

  /** Blocks the compactor may work on: not marked for deletion, old enough or made by a compactor. */
  private usable(state: BucketState): BlockState[] {
    const now = this.opts.now();
    return state.blocks.filter((b) => {
      if (b.deletionTime !== undefined) return false;
      const source = b.meta.thanos.source ?? '';
      if (source.startsWith('compactor') || source === 'bucket.repair') return true;
      return now - ulidTime(b.meta.ulid) >= this.opts.consistencyDelayMs;
    });
  }

  /** Runs one iteration; with --compact.halt-on-error a halted compactor does nothing. */
  async runIteration(): Promise<IterationResult> {
    await initGroupHashing();
    const result: IterationResult = {
      compactions: 0,
      downsamples: 0,
      markedForDeletion: 0,
      deleted: 0,
      quarantined: [],
      partial: [],
      corrupted: [],
    };
    if (this.haltReason) {
      result.halted = this.haltReason;
      return result;
    }
    mkdirSync(this.opts.dataDir, { recursive: true });
    try {
      let state = await readBucketState(this.opts.bucket);
      this.report(state, result);
      result.markedForDeletion += await this.garbageCollect(state);
      state = await readBucketState(this.opts.bucket);
      this.updateTodo(state);
      await this.compactGroups(state, result);
      if (this.haltReason) return { ...result, halted: this.haltReason };
      if (this.opts.downsampling) {
        for (const [from, to, minRange] of DOWNSAMPLE_RANGES) {
          state = await readBucketState(this.opts.bucket);
          await this.downsample(state, from, to, minRange, result);
          if (this.haltReason) return { ...result, halted: this.haltReason };
        }
      }
      state = await readBucketState(this.opts.bucket);
      result.markedForDeletion += await this.applyRetention(state);
      state = await readBucketState(this.opts.bucket);
      result.deleted += await this.cleanUp(state);
      this.metrics.iterations.inc();
      return result;
    } finally {
      rmSync(join(this.opts.dataDir, 'compact'), { recursive: true, force: true });
      rmSync(join(this.opts.dataDir, 'downsample'), { recursive: true, force: true });
    }
  }

  private report(state: BucketState, result: IterationResult): void {
    const now = this.opts.now();
    result.partial = state.partial;
    result.corrupted = state.corrupted;
    this.metrics.corruptedMetas.set(state.corrupted.length);
    for (const c of state.corrupted) {
      this.opts.logger.warn('skipping block with unreadable meta.json or marker; it is not compacted', {
        block: c.id,
        err: c.error,
      });
    }
    for (const id of state.partial) {
      const age = now - ulidTime(id);
      if (age < PARTIAL_UPLOAD_THRESHOLD_MS) {
        this.opts.logger.info('block without meta.json (upload in progress or aborted); skipped', { block: id });
      }
    }
  }

  /**
   * Marks for deletion blocks whose sources are all contained in another block of the same
   * group (left behind when a compactor died between uploading a block and marking its
   * sources), as Thanos' deduplicate filter and garbage collection do.
   */
  private async garbageCollect(state: BucketState): Promise<number> {
    let marked = 0;
    for (const g of groupBlocks(
      this.usable(state).map((b) => b.meta),
      this.opts.replicaLabels,
    )) {
      for (const b of g.blocks) {
        const sources = new Set(b.compaction.sources ?? [b.ulid]);
        const cover = g.blocks.find((o) => o !== b && covers(o, b, sources));
        if (!cover) continue;
        if (await this.markDeleted(b.ulid, `covered by compacted block ${cover.ulid}`, 'duplicate')) {
          this.metrics.garbageCollected.inc();
          marked++;
        }
      }
    }
    return marked;
  }

  private async markDeleted(id: string, details: string, reason: string): Promise<boolean> {
    const done = await markForDeletion(this.opts.bucket, id, details, { now: () => new Date(this.opts.now()) });
    if (done) {
      this.metrics.blocksMarked.inc({ marker: 'deletion-mark.json', reason });
      this.opts.logger.info('marked block for deletion', { block: id, reason, details });
    }
    return done;
  }

  private excludedFromCompaction(state: BucketState): Set<string> {
    return new Set(state.blocks.filter((b) => b.noCompact).map((b) => b.meta.ulid));
  }

  private updateTodo(state: BucketState): void {
    const excluded = this.excludedFromCompaction(state);
    let todo = 0;
    let todoBlocks = 0;
    for (const g of groupBlocks(
      this.usable(state).map((b) => b.meta),
      this.opts.replicaLabels,
    )) {
      const sim = simulatePlans(g.blocks, excluded, this.opts.ranges);
      todo += sim.compactions;
      todoBlocks += sim.blocks;
    }
    this.metrics.todoCompactions.set(todo);
    this.metrics.todoCompactionBlocks.set(todoBlocks);
    this.metrics.todoDeletionBlocks.set(state.blocks.filter((b) => b.deletionTime !== undefined).length);
    this.metrics.halted.reset();
    this.metrics.halted.set(this.haltReason ? 1 : 0);
    for (const g of this.view(state).groups)
      if (g.quarantine !== undefined) this.metrics.halted.set({ group: g.key }, 1);
  }

  private async compactGroups(state: BucketState, result: IterationResult): Promise<void> {
    const excluded = this.excludedFromCompaction(state);
    const groups = groupBlocks(
      this.usable(state).map((b) => b.meta),
      this.opts.replicaLabels,
    );
    await mapLimit(groups, Math.max(1, this.opts.concurrency), async (g) => {
      if (this.haltReason) return;
      try {
        const n = await this.compactGroup(g, excluded);
        result.compactions += n;
      } catch (e) {
        await this.groupFailed(g, e, result);
      }
    });
  }

  private async groupFailed(g: Group, e: unknown, result: IterationResult): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    if (isRetriable(e)) {
      this.metrics.retries.inc();
      this.opts.logger.warn('retriable error in group; will retry next iteration', { group: g.key, err: message });
      return;
    }
    this.metrics.groupCompactionFailures.inc();
    if (this.opts.haltOnError) {
      this.haltReason = `group ${g.key} ${formatLabelSet(g.labels)}: ${message}`;
      this.metrics.halted.set(1);
      this.opts.logger.error('critical error detected; halting the compactor (--compact.halt-on-error)', {
        group: g.key,
        err: message,
      });
      return;
    }
    const now = new Date(this.opts.now());
    for (const b of g.blocks) {
      if (await markQuarantined(this.opts.bucket, b.ulid, message, now)) {
        this.metrics.blocksMarked.inc({ marker: 'no-compact-mark.json', reason: QUARANTINE_REASON });
      }
    }
    this.metrics.halted.set({ group: g.key }, 1);
    result.quarantined.push({ group: g.key, error: message });
    this.opts.logger.error(
      'GROUP QUARANTINED: unexpected error; its blocks got no-compact marks and it is skipped until they are removed; other groups continue',
      {
        group: g.key,
        labels: formatLabelSet(g.labels),
        resolution: g.resolution,
        blocks: g.blocks.map((b) => b.ulid).join(','),
        err: message,
      },
    );
  }

  /** Plans and compacts one group until nothing is left to do; returns the number of compactions. */
  private async compactGroup(g: Group, excluded: Set<string>): Promise<number> {
    const metas = [...g.blocks];
    let done = 0;
    for (;;) {
      const plan = planCompaction(metas, excluded, this.opts.ranges);
      if (!plan) return done;
      if (plan.overlapping && g.resolution !== RESOLUTION_RAW) {
        for (const b of plan.blocks) {
          await markNoCompact(
            this.opts.bucket,
            b.ulid,
            'downsample-vertical-compaction',
            'overlapping downsampled blocks are not vertically compacted',
          );
          this.metrics.blocksMarked.inc({ marker: 'no-compact-mark.json', reason: 'downsample-vertical-compaction' });
          excluded.add(b.ulid);
        }
        continue;
      }
      // Blocks cut from a receiver's out-of-order head overlap its in-order blocks by design
      // and hold no replica copies: merging them needs no opt-in (Thanos halts here instead).
      if (plan.overlapping && !this.vertical && !plan.blocks.some(isOutOfOrderBlock)) {
        throw new HaltError(
          `pre compaction overlap check: blocks ${plan.blocks.map((b) => `${b.ulid} [${b.minTime}, ${b.maxTime})`).join(', ')} overlap; enable --compact.enable-vertical-compaction or set --deduplication.replica-label`,
        );
      }
      const made = await this.compactPlan(g, plan);
      for (const b of plan.blocks) metas.splice(metas.indexOf(b), 1);
      if (made) {
        metas.push(made);
        metas.sort((a, b) => a.minTime - b.minTime);
      }
      done++;
    }
  }

  private async compactPlan(g: Group, plan: Plan<BlockMeta>): Promise<BlockMeta | undefined> {
    const dir = join(this.opts.dataDir, 'compact', g.key.replace('@', '-'));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const dirs: string[] = [];
      for (const b of plan.blocks) {
        const d = join(dir, b.ulid);
        await downloadBlock(this.opts.bucket, b.ulid, d);
        dirs.push(d);
      }
      await this.opts.hook?.('after-download', { group: g.key });
      const blocks = await openBlocks(dirs);
      let meta;
      try {
        meta = await compactBlocks(blocks, join(dir, 'out'), {
          labels: g.labels,
          resolution: g.resolution,
          dedup: this.opts.dedupFunc,
          fsync: this.opts.fsync,
        });
      } finally {
        await Promise.all(blocks.map((b) => b.close()));
      }
      let uploaded: BlockMeta | undefined;
      if ((meta.stats.numSamples ?? 0) > 0) {
        await this.opts.hook?.('before-upload', { group: g.key, block: meta.ulid });
        uploaded = await uploadBlock(this.opts.bucket, join(dir, 'out', meta.ulid));
        await this.opts.hook?.('after-upload', { group: g.key, block: meta.ulid });
        this.opts.logger.info('compacted blocks', {
          group: g.key,
          result: meta.ulid,
          sources: plan.blocks.map((b) => b.ulid).join(','),
          overlapping: plan.overlapping,
        });
      } else {
        this.opts.logger.info('compacted blocks are empty; marking them for deletion without a result', {
          group: g.key,
        });
      }
      for (const b of plan.blocks) {
        await this.markDeleted(b.ulid, `source of compacted block ${meta.ulid}`, 'compacted');
      }
      await this.opts.hook?.('after-mark', { group: g.key, block: meta.ulid });
      this.metrics.groupCompactions.inc({ resolution: String(g.resolution) });
      if (plan.overlapping) this.metrics.verticalCompactions.inc();
      return uploaded;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async downsample(
    state: BucketState,
    from: number,
    to: number,
    minRange: number,
    result: IterationResult,
  ): Promise<void> {
    const usable = this.usable(state);
    const quarantinedGroups = new Set(
      this.view(state)
        .groups.filter((g) => g.quarantine !== undefined)
        .map((g) => g.key),
    );
    const covered = new Set<string>();
    for (const b of usable)
      if (b.meta.thanos.downsample.resolution === to) for (const s of b.meta.compaction.sources ?? []) covered.add(s);
    const todo = usable.filter(
      (b) =>
        b.meta.thanos.downsample.resolution === from &&
        !b.noDownsample &&
        b.noCompact?.reason !== QUARANTINE_REASON &&
        b.meta.maxTime - b.meta.minTime >= minRange &&
        (b.meta.compaction.sources ?? [b.meta.ulid]).some((s) => !covered.has(s)),
    );
    this.metrics.todoDownsampleBlocks.set(todo.length);
    const byGroup = new Map<string, Group>();
    for (const g of groupBlocks(
      todo.map((b) => b.meta),
      this.opts.replicaLabels,
    )) {
      if (!quarantinedGroups.has(g.key)) byGroup.set(g.key, g);
    }
    await mapLimit([...byGroup.values()], Math.max(1, this.opts.concurrency), async (g) => {
      if (this.haltReason) return;
      try {
        for (const b of g.blocks) {
          await this.downsampleOne(b, to);
          result.downsamples++;
        }
      } catch (e) {
        this.metrics.downsampleFailures.inc({ resolution: String(to) });
        await this.groupFailed(g, e, result);
      }
    });
  }

  private async downsampleOne(meta: BlockMeta, resolution: number): Promise<void> {
    const dir = join(this.opts.dataDir, 'downsample', meta.ulid);
    rmSync(dir, { recursive: true, force: true });
    try {
      await downloadBlock(this.opts.bucket, meta.ulid, join(dir, meta.ulid));
      const [block] = await openBlocks([join(dir, meta.ulid)]);
      let report;
      try {
        report = await downsampleBlock(block, join(dir, 'out'), resolution, { fsync: this.opts.fsync });
      } finally {
        await block.close();
      }
      if (report.skippedSeries.length > 0) {
        this.opts.logger.warn('series with non-float chunks are not downsampled', {
          block: meta.ulid,
          count: report.skippedSeries.length,
          first: report.skippedSeries[0],
        });
      }
      await uploadBlock(this.opts.bucket, join(dir, 'out', report.meta.ulid));
      this.metrics.downsamples.inc({ resolution: String(resolution) });
      this.opts.logger.info('downsampled block', { from: meta.ulid, to: report.meta.ulid, resolution });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async applyRetention(state: BucketState): Promise<number> {
    const overrides: RetentionOverride[] = this.opts.retentionOverridesFile
      ? loadRetentionOverrides(this.opts.retentionOverridesFile)
      : [];
    const now = this.opts.now();
    let marked = 0;
    for (const b of state.blocks) {
      if (b.deletionTime !== undefined) continue;
      const retention = retentionFor(
        b.meta.thanos.labels,
        b.meta.thanos.downsample.resolution,
        this.opts.retention,
        overrides,
      );
      if (!isExpired(b.meta.maxTime, retention, now)) continue;
      if (
        await this.markDeleted(
          b.meta.ulid,
          `retention ${retention} ms for resolution ${b.meta.thanos.downsample.resolution} expired`,
          'retention',
        )
      )
        marked++;
    }
    return marked;
  }

  /** Deletes blocks marked longer than the delete delay and partial uploads older than 48h. */
  private async cleanUp(state: BucketState): Promise<number> {
    const now = this.opts.now();
    let deleted = 0;
    for (const b of state.blocks) {
      if (b.deletionTime === undefined || now - b.deletionTime * 1000 < this.opts.deleteDelayMs) continue;
      await deleteBlock(this.opts.bucket, b.meta.ulid);
      this.metrics.blocksCleaned.inc();
      this.opts.logger.info('deleted block marked for deletion', { block: b.meta.ulid });
      deleted++;
    }
    for (const id of state.partial) {
      if (now - ulidTime(id) < Math.max(PARTIAL_UPLOAD_THRESHOLD_MS, this.opts.consistencyDelayMs)) continue;
      this.metrics.partialUploadDeletions.inc();
      this.opts.logger.warn('deleting aborted partial upload (no meta.json, older than 48h)', { block: id });
      await deleteBlock(this.opts.bucket, id);
      this.metrics.blocksCleaned.inc();
      deleted++;
    }
    this.metrics.todoDeletionBlocks.set(state.blocks.filter((b) => b.deletionTime !== undefined).length - deleted);
    return deleted;
  }
}

/** Whether `o` contains all of `b`'s sources (and is the one to keep when they are equal). */
function covers(o: BlockMeta, b: BlockMeta, bSources: Set<string>): boolean {
  const oSources = new Set(o.compaction.sources ?? [o.ulid]);
  for (const s of bSources) if (!oSources.has(s)) return false;
  if (oSources.size > bSources.size) return true;
  return o.compaction.level > b.compaction.level || (o.compaction.level === b.compaction.level && o.ulid > b.ulid);
}

/** How many compactions the planner would run on these blocks (the backlog metric). */
export function simulatePlans(
  metas: readonly BlockMeta[],
  excluded: ReadonlySet<string>,
  ranges: readonly number[],
): { compactions: number; blocks: number } {
  let current = [...metas];
  let compactions = 0;
  let blocks = 0;
  for (let i = 0; i < 10_000; i++) {
    const plan = planCompaction(current, excluded, ranges);
    if (!plan) break;
    compactions++;
    blocks += plan.blocks.length;
    const merged: BlockMeta = {
      ...plan.blocks[0],
      ulid: `simulated-${i}`,
      minTime: Math.min(...plan.blocks.map((b) => b.minTime)),
      maxTime: Math.max(...plan.blocks.map((b) => b.maxTime)),
      stats: {},
      compaction: { level: 0, sources: [] },
    };
    current = current.filter((m) => !plan.blocks.includes(m)).concat(merged);
  }
  return { compactions, blocks };
}

/** Whether a block was written from out-of-order samples (Prometheus's `from-out-of-order` hint). */
function isOutOfOrderBlock(meta: BlockMeta): boolean {
  return meta.compaction.hints?.includes('from-out-of-order') ?? false;
}
