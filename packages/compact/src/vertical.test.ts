import { afterEach, describe, expect, it } from 'vitest';
import {
  dumpLive,
  liveBlocks,
  testBucket,
  testCompactor,
  uploadSamplesBlock,
  type TestBucket,
} from './testing/bucket-fixtures';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const STEP = 15_000;
let tb: TestBucket;
afterEach(() => tb?.cleanup());

/** Samples every 15s over [T0, T0+2h) of a counter, except inside `gaps` ([from, to) offsets). */
function replicaSeries(name: string, gaps: [number, number][], jitter: number) {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = 0; t < 2 * HOUR; t += STEP) {
    if (gaps.some(([a, b]) => t >= a && t < b)) continue;
    timestamps.push(T0 + t + jitter);
    values.push(t / STEP);
  }
  return { labels: { __name__: name, instance: 'x' }, timestamps, values };
}

function parseDump(dump: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of dump.trim().split('\n')) {
    const m = /^(\{.*\}) (\S+) (\d+)$/.exec(line);
    if (!m) continue;
    const list = out.get(m[1]) ?? [];
    list.push(Number(m[3]));
    out.set(m[1], list);
  }
  return out;
}

/** Longest distance between consecutive timestamps. */
function maxGap(ts: number[]): number {
  let gap = 0;
  for (let i = 1; i < ts.length; i++) gap = Math.max(gap, ts[i] - ts[i - 1]);
  return gap;
}

describe('vertical compaction with replica deduplication', () => {
  it('penalty-merges two HA replicas with gaps in different places into one series without gaps', async () => {
    tb = testBucket();
    const gapA: [number, number][] = [[20 * 60_000, 35 * 60_000]];
    const gapB: [number, number][] = [[70 * 60_000, 90 * 60_000]];
    const range = { mint: T0, maxt: T0 + 2 * HOUR };
    await uploadSamplesBlock(tb, [replicaSeries('up_total', gapA, 0)], { cluster: 'c1', replica: 'r0' }, range);
    await uploadSamplesBlock(tb, [replicaSeries('up_total', gapB, 7)], { cluster: 'c1', replica: 'r1' }, range);
    const r = await testCompactor(tb, {
      replicaLabels: ['replica'],
      dedupFunc: 'penalty',
      downsampling: false,
    }).runIteration();
    expect(r.compactions).toBe(1);
    const live = await liveBlocks(tb);
    expect(live).toHaveLength(1);
    expect(live[0].thanos.labels).toEqual({ cluster: 'c1' });
    expect(live[0].compaction.level).toBe(2);
    const series = parseDump(await dumpLive(tb));
    expect([...series.keys()]).toEqual(['{__name__="up_total", instance="x"}']);
    const ts = series.get('{__name__="up_total", instance="x"}')!;
    // The 15- and 20-minute gaps are filled; the penalty switch itself skips at most two
    // scrapes (the other replica is only considered 2 × the last step after the gap began).
    expect(maxGap(ts)).toBeLessThanOrEqual(3 * STEP + 7);
    expect(ts[0]).toBe(T0);
    expect(ts[ts.length - 1]).toBeGreaterThanOrEqual(T0 + 2 * HOUR - STEP);
    // Each sample stored once: one replica's worth of samples, not both.
    expect(live[0].stats.numSamples).toBe(ts.length);
    expect(ts.length).toBeLessThan(2 * 480);
    expect(ts.length).toBeGreaterThanOrEqual(480 - 4);
  });

  it('merges overlapping blocks 1:1 with --compact.enable-vertical-compaction: no overlaps, each sample once', async () => {
    tb = testBucket();
    const a = replicaSeries('m', [], 0);
    const b = replicaSeries('m', [], 0);
    // b: the second hour again (identical samples) plus different series.
    b.timestamps = a.timestamps.slice(240);
    b.values = a.values.slice(240);
    const other = { labels: { __name__: 'other', instance: 'x' }, timestamps: [T0 + 3 * HOUR], values: [42] };
    await uploadSamplesBlock(tb, [a], { cluster: 'c1' });
    await uploadSamplesBlock(tb, [b, other], { cluster: 'c1' });
    const before = parseDump(await dumpLive(tb));
    const r = await testCompactor(tb, { enableVerticalCompaction: true, downsampling: false }).runIteration();
    expect(r.compactions).toBe(1);
    const live = (await liveBlocks(tb)).sort((x, y) => x.minTime - y.minTime);
    for (let i = 1; i < live.length; i++) expect(live[i].minTime).toBeGreaterThanOrEqual(live[i - 1].maxTime);
    const after = parseDump(await dumpLive(tb));
    expect(after).toEqual(before);
    const total = live.reduce((n, m) => n + (m.stats.numSamples ?? 0), 0);
    expect(total).toBe(480 + 1);
  });

  it('merges a receiver out-of-order block into the blocks it overlaps without the vertical flag', async () => {
    tb = testBucket();
    const inOrder = replicaSeries('m', [[30 * 60_000, 40 * 60_000]], 0);
    const late = replicaSeries('m', [], 0);
    // The out-of-order block holds the ten minutes the in-order block is missing.
    const missing = late.timestamps.map((t, i) => [t, i] as const).filter(([t]) => !inOrder.timestamps.includes(t));
    late.timestamps = missing.map(([t]) => t);
    late.values = missing.map(([, i]) => late.values[i]);
    const range = { mint: T0, maxt: T0 + 2 * HOUR };
    await uploadSamplesBlock(tb, [inOrder], { receive: 'r1' }, range);
    await uploadSamplesBlock(tb, [late], { receive: 'r1' }, { ...range, hints: ['from-out-of-order'] });
    const r = await testCompactor(tb, { downsampling: false }).runIteration();
    expect(r.compactions).toBe(1);
    const live = await liveBlocks(tb);
    expect(live).toHaveLength(1);
    const ts = parseDump(await dumpLive(tb)).get('{__name__="m", instance="x"}')!;
    expect(ts).toHaveLength(480);
    expect(maxGap(ts)).toBe(STEP);
  });

  it('still halts on overlapping blocks that are not from out-of-order ingestion', async () => {
    tb = testBucket();
    const range = { mint: T0, maxt: T0 + 2 * HOUR };
    await uploadSamplesBlock(tb, [replicaSeries('m', [], 0)], { receive: 'r1' }, range);
    await uploadSamplesBlock(tb, [replicaSeries('m', [], 3)], { receive: 'r1' }, range);
    const r = await testCompactor(tb, { downsampling: false, haltOnError: true }).runIteration();
    expect(r.halted).toMatch(/overlap; enable --compact.enable-vertical-compaction/);
    expect(r.compactions).toBe(0);
  });
});
