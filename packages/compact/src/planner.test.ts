import { describe, expect, it } from 'vitest';
import { firstOverlappingRun, planCompaction, splitByRange, type PlannerMeta } from './planner';

const H = 3_600_000;
const meta = (ulid: string, minH: number, maxH: number, extra: Partial<PlannerMeta> = {}): PlannerMeta => ({
  ulid,
  minTime: minH * H,
  maxTime: maxH * H,
  stats: { numSeries: 100 },
  compaction: {},
  ...extra,
});
const ids = (p: { blocks: PlannerMeta[] } | undefined) => p?.blocks.map((b) => b.ulid);

describe('planner', () => {
  it('compacts a complete 8h range of 2h blocks, leaving the newest block alone', () => {
    const blocks = [meta('a', 0, 2), meta('b', 2, 4), meta('c', 4, 6), meta('d', 6, 8), meta('e', 8, 10)];
    expect(ids(planCompaction(blocks))).toEqual(['a', 'b', 'c', 'd']);
    expect(planCompaction(blocks.slice(0, 4))).toBeUndefined();
  });

  it('compacts an incomplete range only when it ends before the newest considered block', () => {
    expect(planCompaction([meta('a', 0, 2), meta('b', 2, 4), meta('n', 4, 6)])).toBeUndefined();
    expect(ids(planCompaction([meta('a', 0, 2), meta('b', 2, 4), meta('c', 8, 10), meta('n', 10, 12)]))).toEqual([
      'a',
      'b',
    ]);
  });

  it('returns overlapping blocks first, as a vertical compaction', () => {
    const p = planCompaction([meta('a', 0, 2), meta('b', 1, 3), meta('c', 4, 6), meta('d', 5, 7)]);
    expect(p?.overlapping).toBe(true);
    expect(ids(p)).toEqual(['a', 'b']);
    expect(firstOverlappingRun([meta('a', 0, 2), meta('b', 2, 4)])).toEqual([]);
  });

  it('skips no-compact-marked and failed blocks without creating gaps', () => {
    const blocks = [meta('a', 0, 2), meta('b', 2, 4), meta('c', 4, 6), meta('d', 6, 8), meta('e', 8, 10)];
    expect(ids(planCompaction(blocks, new Set(['b'])))).toEqual(['c', 'd']);
    expect(ids(planCompaction(blocks, new Set(['a', 'c'])))).toBeUndefined();
    const failed = blocks.map((b) => (b.ulid === 'a' ? { ...b, compaction: { failed: true } } : b));
    expect(planCompaction(failed)).toBeUndefined();
  });

  it('splits blocks into aligned ranges and drops blocks that cross them', () => {
    const parts = splitByRange([meta('a', 0, 2), meta('b', 2, 4), meta('x', 7, 9), meta('c', 8, 10)], 8 * H);
    expect(parts.map((p) => p.map((b) => b.ulid))).toEqual([['a', 'b'], ['c']]);
  });

  it('rewrites a large block with many tombstones on its own', () => {
    const big = meta('big', 0, 48, { stats: { numSeries: 100, numTombstones: 10 } });
    expect(ids(planCompaction([big, meta('n', 48, 50)]))).toEqual(['big']);
  });
});
