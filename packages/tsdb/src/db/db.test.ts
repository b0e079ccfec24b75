import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promtool, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { formatGoFloat } from '../format';
import { appendFloat } from '../head';
import { labelsFromRecord } from '../labels';
import { Tsdb } from './index';

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function temp(): string {
  const d = tempDir('tsdb-');
  dirs.push(d);
  return d.path;
}

const H = 3600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * H));

/** Samples every 60 s over `hours` for three series; returns promtool-style dump lines. */
async function fill(db: Tsdb, fromH: number, hours: number): Promise<string[]> {
  const app = db.head.appender();
  const lines: string[] = [];
  for (let s = 0; s < 3; s++) {
    const series = app.getOrCreate(labelsFromRecord({ __name__: 'm', s: String(s) }));
    for (let t = T0 + fromH * H; t < T0 + (fromH + hours) * H; t += 60_000) {
      appendFloat(app, series, t, s + t / 60_000);
      lines.push(`{__name__="m", s="${s}"} ${formatGoFloat(s + t / 60_000)} ${t}`);
    }
  }
  app.commit();
  return lines;
}

function promtoolDump(dir: string): string[] {
  const copy = temp();
  cpSync(dir, copy, { recursive: true });
  const r = promtool(['tsdb', 'dump', copy]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split('\n');
}

describe('Tsdb', () => {
  it('compacts the oldest head window into a block that promtool reads, keeping every sample', async () => {
    const dir = temp();
    const db = await Tsdb.open(dir);
    const expected = await fill(db, 0, 5);
    expect(db.compactable()).toBe(true);
    const meta = await db.compactOldestHeadBlock({
      labels: { replica: 'a' },
      source: 'receive',
      downsample: { resolution: 0 },
    });
    expect(meta).toBeDefined();
    expect([meta!.minTime, meta!.maxTime]).toEqual([T0, T0 + 2 * H]);
    expect(meta!.stats.numSamples).toBe(3 * 120);
    expect(db.head.minTime).toBeGreaterThanOrEqual(T0 + 2 * H);
    expect(promtoolDump(dir).sort()).toEqual([...expected].sort());

    // The WAL was checkpointed: a restart replays only what the head still needs.
    await db.close();
    const reopened = await Tsdb.open(dir);
    expect(readdirSync(join(dir, 'wal')).some((f) => f.startsWith('checkpoint.'))).toBe(true);
    expect(reopened.replay.samples).toBeLessThan(expected.length);
    expect(reopened.head.minTime).toBeGreaterThanOrEqual(T0 + 2 * H);
    expect(promtoolDump(dir).sort()).toEqual([...expected].sort());
    const more = await fill(reopened, 5, 1);
    await reopened.close();
    expect(promtoolDump(dir).sort()).toEqual([...expected, ...more].sort());
  });

  it('flushes the whole head into blocks cut at aligned boundaries and applies retention', async () => {
    const dir = temp();
    const db = await Tsdb.open(dir);
    const expected = await fill(db, 1, 4);
    const metas = await db.flushHead();
    // the first block starts at the first sample, as Prometheus's head blocks do
    expect(metas.map((m) => [m.minTime - T0, m.maxTime - T0])).toEqual([
      [H, 2 * H],
      [2 * H, 4 * H],
      [4 * H, 5 * H - 60_000 + 1],
    ]);
    expect(Number.isFinite(db.head.minTime)).toBe(false);
    expect(promtoolDump(dir).sort()).toEqual([...expected].sort());
    const removed = db.applyRetention(H, T0 + 4 * H + H / 2);
    expect(removed).toEqual([metas[0].ulid]);
    await db.close();
  });

  it('writes the rest of a window flushed midway (a restart) into a block that does not overlap the flushed one', async () => {
    const dir = temp();
    const db = await Tsdb.open(dir);
    const before = await fill(db, 0, 1);
    const flushed = await db.flushHead();
    const after = await fill(db, 1, 3);
    const next = await db.compactOldestHeadBlock();
    expect(flushed.map((m) => [m.minTime - T0, m.maxTime - T0])).toEqual([[0, H - 60_000 + 1]]);
    expect([next!.minTime - T0, next!.maxTime - T0]).toEqual([H, 2 * H]);
    await db.flushHead();
    const ranges = db.blocks().map((m) => [m.minTime, m.maxTime]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
    expect(promtoolDump(dir).sort()).toEqual([...before, ...after].sort());
    await db.close();
  });
});
