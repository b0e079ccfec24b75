// Which blocks of one compaction group to compact next: Prometheus' leveled planner with
// Thanos' handling of no-compact marks (spec/thanos.md §10.2).

const HOUR = 3_600_000;

/** Compaction ranges of Thanos' levels 0–4: 1h, 2h, 8h, 2d, 14d. */
export const DEFAULT_COMPACTION_RANGES: readonly number[] = [1 * HOUR, 2 * HOUR, 8 * HOUR, 48 * HOUR, 14 * 24 * HOUR];

/** The fields of a block's meta the planner looks at. */
export interface PlannerMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: { numSeries?: number; numTombstones?: number };
  compaction: { failed?: boolean };
}

export interface Plan<M extends PlannerMeta> {
  /** The blocks to compact together, by min time. */
  blocks: M[];
  /** True when they overlap in time (vertical compaction). */
  overlapping: boolean;
}

/** The first run of blocks (sorted by min time) whose `[minTime, maxTime)` ranges overlap. */
export function firstOverlappingRun<M extends PlannerMeta>(metas: readonly M[]): M[] {
  const out: M[] = [];
  if (metas.length < 2) return out;
  let globalMaxt = metas[0].maxTime;
  for (let i = 1; i < metas.length; i++) {
    const m = metas[i];
    if (m.minTime < globalMaxt) {
      if (out.length === 0) out.push(metas[i - 1]);
      out.push(m);
    } else if (out.length > 0) {
      break;
    }
    if (m.maxTime > globalMaxt) globalMaxt = m.maxTime;
  }
  return out;
}

/** Blocks grouped into aligned windows `[t0, t0 + range)`; blocks that fit no window are left out. */
export function splitByRange<M extends PlannerMeta>(metas: readonly M[], range: number): M[][] {
  const parts: M[][] = [];
  for (let i = 0; i < metas.length;) {
    const m = metas[i];
    const t0 = range * Math.floor(m.minTime / range);
    if (m.maxTime > t0 + range) {
      i++;
      continue;
    }
    const group: M[] = [];
    for (; i < metas.length && metas[i].maxTime <= t0 + range; i++) group.push(metas[i]);
    if (group.length > 0) parts.push(group);
  }
  return parts;
}

function selectLeveled<M extends PlannerMeta>(
  ranges: readonly number[],
  excluded: ReadonlySet<string>,
  metas: M[],
): M[] {
  if (ranges.length < 2 || metas.length < 1) return [];
  const highTime = metas[metas.length - 1].minTime;
  for (const range of ranges.slice(1)) {
    for (const part of splitByRange(metas, range)) {
      if (part.some((m) => m.compaction.failed)) continue;
      if (part.length < 2) continue;
      const mint = part[0].minTime;
      const maxt = part[part.length - 1].maxTime;
      if (maxt - mint !== range && maxt > highTime) continue;
      // Pieces between no-compact-marked blocks, so no gap is introduced.
      let start = 0;
      for (let i = 0; i < part.length; i++) {
        if (!excluded.has(part[i].ulid)) continue;
        if (i - start > 1) return part.slice(start, i);
        start = i + 1;
      }
      if (part.length - start > 1) return part.slice(start);
    }
  }
  return [];
}

/**
 * Plans the next compaction of one group. `metas` are the group's blocks; `excluded`
 * the ULIDs with a no-compact mark. Returns undefined when there is nothing to do.
 */
export function planCompaction<M extends PlannerMeta>(
  metas: readonly M[],
  excluded: ReadonlySet<string> = new Set(),
  ranges: readonly number[] = DEFAULT_COMPACTION_RANGES,
): Plan<M> | undefined {
  const sorted = [...metas].sort((a, b) => a.minTime - b.minTime);
  if (sorted.length === 0) return undefined;
  const candidates = sorted.filter((m) => !excluded.has(m.ulid));
  const overlap = firstOverlappingRun(candidates);
  if (overlap.length > 0) return { blocks: overlap, overlapping: true };

  // The newest block is left alone: it may still be joined by a block of the same range.
  const newest = sorted[sorted.length - 1];
  const notNewest = candidates.filter((m) => m !== newest);
  const leveled = selectLeveled(ranges, excluded, sorted.slice(0, -1));
  if (leveled.length > 0) return { blocks: leveled, overlapping: false };

  // A big enough block with more than 5% of its series deleted is rewritten on its own.
  for (let i = notNewest.length - 1; i >= 0; i--) {
    const m = notNewest[i];
    const tombstones = m.stats.numTombstones ?? 0;
    const series = m.stats.numSeries ?? 0;
    if (m.maxTime - m.minTime < ranges[Math.floor(ranges.length / 2)]) {
      if (tombstones > 0 && tombstones >= series) return { blocks: [m], overlapping: false };
      break;
    }
    if (tombstones / (series + 1) > 0.05) return { blocks: [m], overlapping: false };
  }
  return undefined;
}
