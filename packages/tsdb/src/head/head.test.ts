import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkIterator } from '../chunkenc';
import { formatGoFloat } from '../format';
import { labelsFromRecord, labelsToString, newMatcher } from '../labels';
import { WalWriter } from '../wal';
import { AppendStatus, appendFloat, Head, replayHeadWal } from './index';

async function dumpHead(head: Head): Promise<string[]> {
  const lines: string[] = [];
  for (const s of await head.select(
    [newMatcher('=~', '__name__', '.*')],
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  )) {
    const deleted = head.deletedIntervals(s.ref);
    for (const c of s.chunks(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      const it = chunkIterator(c.chunk);
      while (it.next()) {
        if (deleted.some((iv) => it.t >= iv.mint && it.t <= iv.maxt)) continue;
        lines.push(`${labelsToString(s.labels)} ${formatGoFloat(it.v)} ${it.t}`);
      }
    }
  }
  return lines;
}

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function temp() {
  const d = tempDir('head-');
  dirs.push(d);
  return d.path;
}

describe('Head', () => {
  for (const name of ['main', 'main-uncompressed', 'big-multipage-uncompressed', 'wide-timestamps']) {
    it(`replays the real Prometheus WAL ${name} to what promtool dumped`, async () => {
      const head = await Head.create();
      const stats = replayHeadWal(head, join(fixturesDir, 'wal', name, 'wal'));
      expect(stats.records).toBeGreaterThan(0);
      const expected = readFileSync(join(fixturesDir, 'wal', name, 'expected-dump.txt'), 'utf8')
        .trimEnd()
        .split('\n');
      expect(await dumpHead(head)).toEqual(expected);
    });
  }

  it('refuses out-of-order, conflicting duplicate and out-of-bounds samples with typed statuses', async () => {
    const head = await Head.create();
    let app = head.appender();
    const series = app.getOrCreate(labelsFromRecord({ __name__: 'up', job: 'a' }));
    expect(appendFloat(app, series, 10_000_000, 1)).toBe(AppendStatus.ok);
    expect(appendFloat(app, series, 9_000_000, 1)).toBe(AppendStatus.outOfOrder);
    expect(appendFloat(app, series, 10_000_000, 2)).toBe(AppendStatus.duplicate);
    expect(appendFloat(app, series, 10_000_000, 1)).toBe(AppendStatus.duplicateIgnored);
    app.commit();
    app = head.appender();
    // Older than head max time minus half the chunk range (1h): out of bounds, as in Prometheus.
    expect(appendFloat(app, series, 10_000_000 - 3_600_001, 1)).toBe(AppendStatus.outOfBounds);
    expect(appendFloat(app, series, 9_999_999, 1)).toBe(AppendStatus.outOfOrder);
    app.rollback();
    expect(series.lastT).toBe(10_000_000);
  });

  it('keeps interleaved appenders apart, and commits an appender used again after its commit', async () => {
    const head = await Head.create();
    const a = head.appender();
    const b = head.appender();
    const x = a.getOrCreate(labelsFromRecord({ __name__: 'x' }));
    const y = b.getOrCreate(labelsFromRecord({ __name__: 'y' }));
    appendFloat(a, x, 1000, 1);
    appendFloat(b, y, 1000, 2);
    a.commit();
    appendFloat(b, y, 2000, 3);
    b.commit();
    // `a` handed its sample columns back at commit; appending again must not share them with another appender
    const c = head.appender();
    appendFloat(a, x, 2000, 4);
    appendFloat(c, y, 3000, 5);
    expect([a.pendingSamples, c.pendingSamples]).toEqual([1, 1]);
    c.rollback();
    a.commit();
    expect(await dumpHead(head)).toEqual([
      '{__name__="x"} 1 1000',
      '{__name__="x"} 4 2000',
      '{__name__="y"} 2 1000',
      '{__name__="y"} 3 2000',
    ]);
  });

  it('cuts chunks every 120 samples of a regular series', async () => {
    const head = await Head.create();
    const app = head.appender();
    const series = app.getOrCreate(labelsFromRecord({ __name__: 'x' }));
    for (let i = 0; i < 360; i++) appendFloat(app, series, i * 15_000, i);
    app.commit();
    const chunks = series.chunks(0, Number.MAX_SAFE_INTEGER);
    expect(chunks.map((c) => [c.minTime, c.maxTime])).toEqual([
      [0, 119 * 15_000],
      [120 * 15_000, 239 * 15_000],
      [240 * 15_000, 359 * 15_000],
    ]);
  });

  it('writes a WAL that replays to the same head and that promtool reads, stale markers included', async () => {
    const dir = temp();
    const wal = WalWriter.open(join(dir, 'wal'), { segmentSize: 64 * 1024 });
    const head = await Head.create({ wal });
    const app = head.appender();
    const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0];
    for (let s = 0; s < 200; s++) {
      const series = app.getOrCreate(labelsFromRecord({ __name__: 'm', idx: String(s), job: 'j' }));
      for (let i = 0; i < 50; i++)
        appendFloat(app, series, 1_700_000_000_000 + i * 1000, i === 49 ? stale : s * 0.5 + i);
    }
    app.commit();
    await wal.close();

    const replayed = await Head.create();
    replayHeadWal(replayed, join(dir, 'wal'));
    const ours = await dumpHead(head);
    expect(await dumpHead(replayed)).toEqual(ours);

    const copy = temp();
    cpSync(join(dir, 'wal'), join(copy, 'wal'), { recursive: true });
    const dumped = promtool(['tsdb', 'dump', copy]);
    expect(dumped.status, dumped.stderr).toBe(0);
    expect(dumped.stdout.trimEnd().split('\n')).toEqual(ours);
  });

  it('drops persisted data on truncate and refuses samples before the new minimum', async () => {
    const head = await Head.create();
    const app = head.appender();
    const a = app.getOrCreate(labelsFromRecord({ __name__: 'a' }));
    const b = app.getOrCreate(labelsFromRecord({ __name__: 'b' }));
    for (let i = 0; i < 300; i++) appendFloat(app, a, i * 60_000, i);
    appendFloat(app, b, 1000, 1);
    app.commit();
    head.truncate(7_200_000);
    expect(head.numSeries).toBe(1);
    expect(head.postings('__name__', ['b'])).toEqual([]);
    expect(a.minTime).toBeGreaterThanOrEqual(7_200_000);
    expect(appendFloat(head.appender(), a, 7_100_000, 1)).toBe(AppendStatus.outOfBounds);
  });
});
