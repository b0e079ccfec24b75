import { readFileSync } from 'node:fs';
import { promtool } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readBucketState } from './bucket-state';
import {
  FIXTURE_DUMP,
  dumpLive,
  liveBlocks,
  testBucket,
  testCompactor,
  uploadFixtureBlocks,
  uploadSamplesBlock,
  type TestBucket,
} from './testing/bucket-fixtures';

const HOUR = 3_600_000;
let tb: TestBucket;
afterEach(() => tb?.cleanup());

/** Non-overlapping raw series: `n` samples every 15s from `start`. */
function steady(name: string, start: number, n: number, value = (i: number) => i) {
  return {
    labels: { __name__: name, job: 'test' },
    timestamps: Array.from({ length: n }, (_, i) => start + i * 15_000),
    values: Array.from({ length: n }, (_, i) => value(i)),
  };
}

const FIXTURE_DAY = Date.UTC(2023, 0, 1);
const EXTRA = 'zz_extra_metric';

/**
 * The three fixture blocks (00:47–04:47) plus two later 2h blocks (08:00–12:00) of another
 * series: with them the planner considers the fixture blocks' 8h range complete.
 */
async function uploadFixturesAndLaterBlocks(labels: Record<string, string>) {
  const inputs = await uploadFixtureBlocks(tb, labels);
  for (const start of [8, 10]) {
    const t = FIXTURE_DAY + start * HOUR;
    await uploadSamplesBlock(tb, [steady(EXTRA, t, 480)], labels, { mint: t, maxt: t + 2 * HOUR });
  }
  return inputs;
}

function withoutExtra(dump: string): string {
  return dump
    .split('\n')
    .filter((l) => !l.startsWith(`{__name__="${EXTRA}"`))
    .join('\n');
}

describe('Compactor: compaction of the fixture blocks', () => {
  it('leaves blocks alone while their range may still grow (Prometheus planner)', async () => {
    tb = testBucket();
    await uploadFixtureBlocks(tb, { cluster: 'eu' });
    const r = await testCompactor(tb, { downsampling: false }).runIteration();
    expect(r.compactions).toBe(0);
    expect(await liveBlocks(tb)).toHaveLength(3);
  });

  it('merges the promtool blocks into a level-2 block whose dump equals the inputs', async () => {
    tb = testBucket();
    const inputs = await uploadFixturesAndLaterBlocks({ cluster: 'eu', replica: 'a' });
    const c = testCompactor(tb, { downsampling: false });
    const r = await c.runIteration();
    expect(r.compactions).toBe(1);
    const live = await liveBlocks(tb);
    expect(live).toHaveLength(3);
    const compacted = live.find((m) => m.compaction.level === 2)!;
    expect(compacted.compaction.sources).toEqual(inputs.map((m) => m.ulid).sort());
    expect(compacted.thanos.labels).toEqual({ cluster: 'eu', replica: 'a' });
    expect(compacted.thanos.source).toBe('compactor');
    expect(compacted.minTime).toBe(inputs[0].minTime);
    expect(compacted.maxTime).toBe(inputs[2].maxTime);
    expect(compacted.stats.numSamples).toBe(inputs.reduce((n, m) => n + (m.stats.numSamples ?? 0), 0));
    expect(compacted.compaction.parents?.map((p) => p.ulid)).toEqual(inputs.map((m) => m.ulid));
    const dump = await dumpLive(tb);
    expect(withoutExtra(dump)).toBe(readFileSync(FIXTURE_DUMP, 'utf8'));
    expect(dump.split('\n').filter((l) => l.startsWith(`{__name__="${EXTRA}"`))).toHaveLength(960);
    const analyze = promtool(['tsdb', 'analyze', tb.dir, compacted.ulid]);
    expect(analyze.status, analyze.stderr).toBe(0);
    expect(analyze.stdout).toContain(`Block ID: ${compacted.ulid}`);
    // Sources are marked, not deleted, until the delete delay has passed.
    const state = await readBucketState(tb.bucket);
    expect(
      state.blocks
        .filter((b) => b.deletionTime !== undefined)
        .map((b) => b.meta.ulid)
        .sort(),
    ).toEqual(inputs.map((m) => m.ulid).sort());
    const metrics = await c.metrics.iterations.get();
    expect(metrics.values[0].value).toBe(1);
  });

  it('deletes marked blocks only after the delete delay', async () => {
    tb = testBucket();
    await uploadFixturesAndLaterBlocks({ cluster: 'eu' });
    let now = Date.now();
    const c = testCompactor(tb, { downsampling: false, now: () => now, deleteDelayMs: 48 * HOUR });
    await c.runIteration();
    expect((await readBucketState(tb.bucket)).blocks).toHaveLength(6);
    now += 47 * HOUR;
    expect((await c.runIteration()).deleted).toBe(0);
    now += 2 * HOUR;
    expect((await c.runIteration()).deleted).toBe(3);
    const state = await readBucketState(tb.bucket);
    expect(state.blocks).toHaveLength(3);
    expect(state.partial).toEqual([]);
    expect(withoutExtra(await dumpLive(tb))).toBe(readFileSync(FIXTURE_DUMP, 'utf8'));
  });
});

describe('Compactor: levels and groups', () => {
  it('compacts 2h blocks into 8h blocks per group, never across groups', async () => {
    tb = testBucket();
    const t0 = 1_700_006_400_000 - (1_700_006_400_000 % (8 * HOUR));
    for (const tenant of ['a', 'b']) {
      for (let i = 0; i < 5; i++) {
        await uploadSamplesBlock(
          tb,
          [steady(`m_${tenant}`, t0 + i * 2 * HOUR, 480)],
          { tenant_id: tenant },
          {
            mint: t0 + i * 2 * HOUR,
            maxt: t0 + (i + 1) * 2 * HOUR,
          },
        );
      }
    }
    const c = testCompactor(tb, { downsampling: false, concurrency: 2 });
    const r = await c.runIteration();
    expect(r.compactions).toBe(2);
    const live = await liveBlocks(tb);
    for (const tenant of ['a', 'b']) {
      const mine = live.filter((m) => m.thanos.labels.tenant_id === tenant).sort((x, y) => x.minTime - y.minTime);
      expect(mine.map((m) => [m.minTime - t0, m.maxTime - t0, m.compaction.level])).toEqual([
        [0, 8 * HOUR, 2],
        [8 * HOUR, 10 * HOUR, 1],
      ]);
    }
    const dump = await dumpLive(tb);
    expect(dump.split('\n').filter((l) => l.startsWith('{__name__="m_a"')).length).toBe(5 * 480);
    expect(dump.split('\n').filter((l) => l.startsWith('{__name__="m_b"')).length).toBe(5 * 480);
  });
});
