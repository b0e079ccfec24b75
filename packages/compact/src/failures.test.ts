import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUlid } from '@thanos-ts/tsdb';
import { afterEach, describe, expect, it } from 'vitest';
import { QUARANTINE_REASON, readBucketState } from './bucket-state';
import { liveBlocks, testBucket, testCompactor, uploadSamplesBlock, type TestBucket } from './testing/bucket-fixtures';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
let tb: TestBucket;
afterEach(() => tb?.cleanup());

/** Five 2h blocks per tenant (so one 8h compaction is planned for each); returns their metas. */
async function twoTenants() {
  const out: Record<string, { ulid: string }[]> = { a: [], b: [] };
  for (const tenant of ['a', 'b']) {
    for (let i = 0; i < 5; i++) {
      const t = T0 + i * 2 * HOUR;
      const series = {
        labels: { __name__: `m_${tenant}` },
        timestamps: Array.from({ length: 120 }, (_, k) => t + k * 60_000),
        values: Array.from({ length: 120 }, (_, k) => k),
      };
      out[tenant].push(await uploadSamplesBlock(tb, [series], { tenant_id: tenant }, { mint: t, maxt: t + 2 * HOUR }));
    }
  }
  return out;
}

function corruptIndex(ulid: string): void {
  writeFileSync(join(tb.dir, ulid, 'index'), Buffer.from('this is not a TSDB index at all, just garbage bytes'));
}

async function metricsText(c: ReturnType<typeof testCompactor>): Promise<string> {
  const lines: string[] = [];
  for (const m of [c.metrics.halted, c.metrics.blocksMarked]) {
    for (const v of (await m.get()).values) lines.push(`${(await m.get()).name}${JSON.stringify(v.labels)} ${v.value}`);
  }
  return lines.join('\n');
}

describe('bad bucket content', () => {
  it('quarantines a group with a corrupt index and keeps compacting the others', async () => {
    tb = testBucket();
    const blocks = await twoTenants();
    corruptIndex(blocks.a[1].ulid);
    const c = testCompactor(tb, { downsampling: false });
    const r = await c.runIteration();
    expect(r.compactions).toBe(1);
    expect(r.quarantined).toHaveLength(1);
    expect(r.quarantined[0].error).toMatch(/index/i);
    const state = await readBucketState(tb.bucket);
    for (const b of blocks.a) {
      const s = state.blocks.find((x) => x.meta.ulid === b.ulid)!;
      expect(s.noCompact?.reason).toBe(QUARANTINE_REASON);
      expect(s.deletionTime).toBeUndefined();
    }
    const live = await liveBlocks(tb);
    expect(
      live
        .filter((m) => m.thanos.labels.tenant_id === 'b')
        .map((m) => m.compaction.level)
        .sort(),
    ).toEqual([1, 2]);
    const view = c.view(state);
    const qa = view.groups.find((g) => g.labels.tenant_id === 'a')!;
    expect(qa.quarantine).toMatch(/index/i);
    expect(view.groups.find((g) => g.labels.tenant_id === 'b')!.quarantine).toBeUndefined();
    const metrics = await metricsText(c);
    expect(metrics).toContain(
      `thanos_compact_blocks_marked_total{"marker":"no-compact-mark.json","reason":"quarantined"} 5`,
    );
    // The next iteration reports the quarantined group in the halted gauge and leaves it alone.
    const r2 = await c.runIteration();
    expect(r2.compactions).toBe(0);
    expect(await metricsText(c)).toContain(`thanos_compact_halted{"group":"${qa.key}"} 1`);
  });

  it('quarantines overlapping blocks with different data when vertical compaction is off', async () => {
    tb = testBucket();
    const mk = (v: number) => ({
      labels: { __name__: 'x' },
      timestamps: Array.from({ length: 60 }, (_, k) => T0 + k * 60_000),
      values: Array.from({ length: 60 }, () => v),
    });
    await uploadSamplesBlock(tb, [mk(1)], { tenant_id: 'a' });
    await uploadSamplesBlock(tb, [mk(2)], { tenant_id: 'a' });
    const r = await testCompactor(tb, { downsampling: false }).runIteration();
    expect(r.quarantined).toHaveLength(1);
    expect(r.quarantined[0].error).toMatch(/pre compaction overlap check/);
    expect(await liveBlocks(tb)).toHaveLength(2);
  });

  it('with --compact.halt-on-error halts everything but keeps reporting', async () => {
    tb = testBucket();
    const blocks = await twoTenants();
    corruptIndex(blocks.a[0].ulid);
    const c = testCompactor(tb, { downsampling: false, haltOnError: true, concurrency: 1 });
    const r = await c.runIteration();
    expect(r.halted).toMatch(/index/i);
    expect(c.halted).toBe(r.halted);
    expect(await metricsText(c)).toContain('thanos_compact_halted{} 1');
    const state = await readBucketState(tb.bucket);
    expect(state.blocks.some((b) => b.noCompact)).toBe(false);
    const again = await c.runIteration();
    expect(again.halted).toBe(r.halted);
    expect(again.compactions).toBe(0);
  });

  it('reports partial uploads and unreadable meta.json without compacting or dropping them; old partials are cleaned', async () => {
    tb = testBucket();
    await twoTenants();
    const youngPartial = newUlid();
    const oldPartial = newUlid(Date.now() - 72 * HOUR);
    const badMeta = newUlid();
    await tb.bucket.upload(`${youngPartial}/index`, Buffer.from('x'));
    await tb.bucket.upload(`${oldPartial}/chunks/000001`, Buffer.from('x'));
    await tb.bucket.upload(`${badMeta}/meta.json`, Buffer.from('{"ulid": "not json'));
    const r = await testCompactor(tb, { downsampling: false }).runIteration();
    expect(r.compactions).toBe(2);
    expect(r.partial.sort()).toEqual([oldPartial, youngPartial].sort());
    expect(r.corrupted.map((c) => c.id)).toEqual([badMeta]);
    const state = await readBucketState(tb.bucket);
    expect(state.partial).toEqual([youngPartial]);
    expect(state.corrupted.map((c) => c.id)).toEqual([badMeta]);
  });
});
