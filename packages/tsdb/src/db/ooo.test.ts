import { cpSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { promtool, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { formatGoFloat } from '../format';
import { AppendStatus, appendFloat, type AppendStatusValue } from '../head';
import { labelsFromRecord, labelsToString, newMatcher, type Labels } from '../labels';
import { ReadOnlyDb, type Querier } from '../querier';
import { OUT_OF_ORDER_HINT, Tsdb } from './index';

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function temp(): string {
  const d = tempDir('tsdb-ooo-');
  dirs.push(d);
  return d.path;
}

const M = 60_000;
const H = 60 * M;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * H));

type Sample = [labels: Labels, t: number, v: number];

/** promtool's dump order: by series, then by time; one line per sample. */
function dumpLines(samples: readonly Sample[]): string[] {
  const byKey = new Map<string, Map<number, number>>();
  for (const [l, t, v] of samples) {
    const key = labelsToString(l);
    if (!byKey.has(key)) byKey.set(key, new Map());
    if (!byKey.get(key)!.has(t)) byKey.get(key)!.set(t, v);
  }
  return [...byKey.keys()]
    .sort()
    .flatMap((k) => [...byKey.get(k)!].sort((a, b) => a[0] - b[0]).map(([t, v]) => `${k} ${formatGoFloat(v)} ${t}`));
}

async function queryLines(db: { querier(): Promise<Querier> }): Promise<string[]> {
  const out: string[] = [];
  const q = await db.querier();
  for await (const s of q.select(
    [newMatcher('=~', '__name__', '.+')],
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  )) {
    const it = s.iterator();
    while (it.next()) out.push(`${labelsToString(s.labels)} ${formatGoFloat(it.v)} ${it.t}`);
  }
  return out;
}

/** promtool's dump of a copy of `dir`, checked to be what our read-only open of the copy shows. */
async function promtoolDump(dir: string): Promise<string[]> {
  const copy = temp();
  cpSync(dir, copy, { recursive: true });
  const readOnly = await ReadOnlyDb.open(copy);
  const ours = await queryLines({ querier: () => readOnly.querier(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) });
  await readOnly.close();
  const r = promtool(['tsdb', 'dump', copy]);
  expect(r.status, r.stderr).toBe(0);
  const dumped = r.stdout.trimEnd().split('\n');
  expect(ours).toEqual(dumped);
  return dumped;
}

/** Appends in one transaction; returns each sample's status. */
function write(db: Tsdb, samples: readonly Sample[]): AppendStatusValue[] {
  const app = db.head.appender();
  const statuses = samples.map(([l, t, v]) => appendFloat(app, app.getOrCreate(l), t, v));
  app.commit();
  return statuses;
}

const series = (s: number): Labels => labelsFromRecord({ __name__: 'm', s: String(s) });

function inOrder(fromH: number, toH: number): Sample[] {
  const out: Sample[] = [];
  for (let s = 0; s < 3; s++)
    for (let t = T0 + fromH * H; t < T0 + toH * H; t += M) out.push([series(s), t, s + t / M]);
  return out;
}

describe('Tsdb out-of-order ingestion', () => {
  it('serves acknowledged out-of-order samples again after a crash (WBL replay), as promtool does', async () => {
    const dir = temp();
    const db = await Tsdb.open(dir, { outOfOrderTimeWindow: H });
    const first = inOrder(0, 1);
    write(db, first);
    const ooo: Sample[] = [];
    for (let t = T0 + 30_000; t < T0 + H; t += 2 * M) ooo.push([series(1), t, -t / M]);
    // A new series is in order for its first sample when within chunkRange/2 of the head maximum: WAL, not WBL.
    ooo.push([labelsFromRecord({ __name__: 'late' }), T0 + 10 * M, 42]);
    expect(write(db, ooo)).toEqual(ooo.map(() => AppendStatus.ok));
    expect(write(db, [[series(1), T0 - 2 * M, 1]])).toEqual([AppendStatus.tooOld]);
    const expected = dumpLines([...first, ...ooo]);
    expect(await queryLines(db)).toEqual(expected);
    // Real promtool 2.42 replays wbl/ after wal/ (OpenDBReadOnly opens it): the dump shows them merged.
    expect(await promtoolDump(dir)).toEqual(expected);

    // One more record, torn by the crash: replay keeps every record before it and cuts it away.
    expect(write(db, [[series(0), T0 + 90_000, 7]])).toEqual([AppendStatus.ok]);
    const segment = join(dir, 'wbl', readdirSync(join(dir, 'wbl')).sort().at(-1)!);
    truncateSync(segment, statSync(segment).size - 3);

    // No close: the writers are dropped as a kill -9 would drop them.
    const reopened = await Tsdb.open(dir, { outOfOrderTimeWindow: H });
    expect(reopened.wblReplay.samples).toBe(ooo.length - 1);
    expect(reopened.wblReplay.repaired).toBe(true);
    expect(await queryLines(reopened)).toEqual(expected);
    const more: Sample[] = [[series(2), T0 + 30_000, 0.5]];
    expect(write(reopened, more)).toEqual([AppendStatus.ok]);
    await reopened.close();

    // Out-of-order samples on disk are replayed even with the window turned off; new ones are refused.
    const disabled = await Tsdb.open(dir);
    expect(disabled.wbl).toBeUndefined();
    expect(await queryLines(disabled)).toEqual(dumpLines([...first, ...ooo, ...more]));
    expect(write(disabled, [[series(2), T0 + 90_000, 1]])).toEqual([AppendStatus.outOfOrder]);
    await disabled.close();
  });

  it('compacts out-of-order samples into hinted blocks per aligned range that queries and promtool merge', async () => {
    const dir = temp();
    const thanos = { labels: { replica: 'a' }, source: 'receive', downsample: { resolution: 0 } };
    const db = await Tsdb.open(dir, { outOfOrderTimeWindow: 4 * H });
    const inOrderSamples = inOrder(0, 5);
    write(db, inOrderSamples);
    const ooo: Sample[] = [];
    // Series 0 between its in-order samples, across the [0, 2h) and [2h, 4h) windows.
    for (let t = T0 + H + 30_000; t < T0 + 3 * H; t += 2 * M) ooo.push([series(0), t, -t / M]);
    // A series with out-of-order samples only, and one repeating an in-order sample exactly.
    ooo.push([labelsFromRecord({ __name__: 'ooo_only' }), T0 + 90 * M, 7]);
    ooo.push([series(2), T0 + 70 * M, 2 + (T0 + 70 * M) / M]);
    expect(write(db, ooo)).toEqual(ooo.map(() => AppendStatus.ok));
    const expected = dumpLines([...inOrderSamples, ...ooo]);
    const wblBefore = readdirSync(join(dir, 'wbl'));

    expect(db.compactable()).toBe(true);
    const inOrderMeta = await db.compactOldestHeadBlock(thanos);
    expect(inOrderMeta?.compaction.hints).toBeUndefined();
    const oooMetas = db.blocks().filter((m) => m.compaction.hints?.includes(OUT_OF_ORDER_HINT));
    expect(oooMetas.map((m) => [m.minTime - T0, m.maxTime - T0, m.stats.numSamples])).toEqual([
      [0, 2 * H, 30 + 2],
      [2 * H, 4 * H, 30],
    ]);
    for (const m of oooMetas) {
      expect(m.compaction.level).toBe(1);
      expect(m.compaction.hints).toEqual(['from-out-of-order']);
      expect(m.thanos).toMatchObject(thanos);
    }
    expect(db.head.oooSeries.size).toBe(0);
    expect(db.head.oooRange()).toBeUndefined();
    // The WBL segments that held the compacted samples are gone; logging goes on in a new one.
    const wblAfter = readdirSync(join(dir, 'wbl'));
    expect(wblAfter.some((f) => wblBefore.includes(f))).toBe(false);
    expect(wblAfter).toHaveLength(1);

    expect(await queryLines(db)).toEqual(expected);
    // promtool 2.42 replays the WAL only from the newest block's end on, and the newest block is now
    // the out-of-order one ending at 4h: it shows in-order head samples before that only once flushed.
    const walShown = inOrderSamples.filter(([, t]) => t < T0 + 2 * H || t >= T0 + 4 * H);
    expect(await promtoolDump(dir)).toEqual(dumpLines([...walShown, ...ooo]));

    // Late samples for an already compacted range go to the head again and into a new block.
    const late: Sample[] = [[series(1), T0 + H + 30_000, 0.25]];
    expect(write(db, late)).toEqual([AppendStatus.ok]);
    const flushed = await db.flushHead(thanos);
    expect(flushed.filter((m) => m.compaction.hints !== undefined).map((m) => m.minTime - T0)).toEqual([0]);
    await db.close();
    const reopened = await Tsdb.open(dir, { outOfOrderTimeWindow: 4 * H });
    expect(reopened.wblReplay.samples).toBe(0);
    // Every open starts a WBL segment; with no out-of-order samples left, compaction keeps only the current one.
    expect(readdirSync(join(dir, 'wbl'))).toHaveLength(2);
    expect(await reopened.compactOutOfOrderHead(thanos)).toEqual([]);
    expect(readdirSync(join(dir, 'wbl'))).toHaveLength(1);
    const all = dumpLines([...inOrderSamples, ...ooo, ...late]);
    expect(await queryLines(reopened)).toEqual(all);
    await reopened.close();
    expect(await promtoolDump(dir)).toEqual(all);
  });
});
