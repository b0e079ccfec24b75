// What the bucket UI and the compactor's group status show: groups with their blocks,
// quarantine state, partial and unreadable blocks.
import { QUARANTINE_REASON, type BucketState } from './bucket-state';
import { groupBlocks } from './groups';

export interface BlockView {
  ulid: string;
  minTime: number;
  maxTime: number;
  level: number;
  numSeries: number;
  numSamples: number;
  numChunks: number;
  source: string;
  labels: Record<string, string>;
  /** Unix seconds of the deletion mark. */
  deletionTime?: number;
  noCompactReason?: string;
}

export interface GroupView {
  key: string;
  labels: Record<string, string>;
  resolution: number;
  /** The error that quarantined the group, when it is quarantined. */
  quarantine?: string;
  blocks: BlockView[];
}

export interface BucketView {
  generatedAt: number;
  groups: GroupView[];
  partial: string[];
  corrupted: { id: string; error: string }[];
  /** Set when the whole compactor halted (--compact.halt-on-error). */
  halted?: string;
}

/** Groups (all blocks, including those marked for deletion) with their quarantine state. */
export function buildBucketView(
  state: BucketState,
  replicaLabels: readonly string[],
  now: number,
  halted?: string,
): BucketView {
  const byId = new Map(state.blocks.map((b) => [b.meta.ulid, b]));
  const groups = groupBlocks(
    state.blocks.map((b) => b.meta),
    replicaLabels,
  ).map((g): GroupView => {
    const blocks = g.blocks.map((m): BlockView => {
      const s = byId.get(m.ulid)!;
      return {
        ulid: m.ulid,
        minTime: m.minTime,
        maxTime: m.maxTime,
        level: m.compaction.level,
        numSeries: m.stats.numSeries ?? 0,
        numSamples: m.stats.numSamples ?? 0,
        numChunks: m.stats.numChunks ?? 0,
        source: m.thanos.source ?? '',
        labels: m.thanos.labels,
        ...(s.deletionTime !== undefined && { deletionTime: s.deletionTime }),
        ...(s.noCompact && { noCompactReason: s.noCompact.reason }),
      };
    });
    const q = g.blocks
      .map((m) => byId.get(m.ulid)!)
      .find((s) => s.deletionTime === undefined && s.noCompact?.reason === QUARANTINE_REASON);
    return {
      key: g.key,
      labels: g.labels,
      resolution: g.resolution,
      blocks,
      ...(q && { quarantine: q.noCompact!.details ?? 'quarantined' }),
    };
  });
  return { generatedAt: now, groups, partial: state.partial, corrupted: state.corrupted, ...(halted && { halted }) };
}
