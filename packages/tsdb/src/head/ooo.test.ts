import { join } from 'node:path';
import { tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO } from '../chunkenc';
import { labelsFromRecord, newMatcher } from '../labels';
import { HeadQuerier } from '../querier';
import { WalWriter } from '../wal';
import { AppendStatus, appendFloat, Head, replayHeadWal, replayHeadWbl, type MemSeries } from './index';

const M = 60_000;
const H = 60 * M;
const T = 100 * H;

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

/** The head's samples of every series as `name t value-hi value-lo` lines, through the head querier. */
async function queried(head: Head, mint = Number.MIN_SAFE_INTEGER, maxt = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  const out: string[] = [];
  for await (const s of new HeadQuerier(head).select([newMatcher('=~', '__name__', '.+')], mint, maxt)) {
    const it = s.iterator();
    while (it.next()) out.push(`${s.labels[0].value} ${it.t} ${it.vHi.toString(16)} ${it.vLo}`);
  }
  return out;
}

function line(name: string, t: number, v: number): string {
  const w = new Uint32Array(new Float64Array([v]).buffer);
  return `${name} ${t} ${w[1].toString(16)} ${w[0]}`;
}

/** A head with one series `up` whose newest in-order sample is at T. */
async function headAt(options: { window: number; capMax?: number; wal?: WalWriter; wbl?: WalWriter }) {
  const head = await Head.create({
    outOfOrderTimeWindow: options.window,
    outOfOrderCapMax: options.capMax,
    wal: options.wal,
    wbl: options.wbl,
  });
  const app = head.appender();
  const up = app.getOrCreate(labelsFromRecord({ __name__: 'up' }));
  expect(appendFloat(app, up, T - 10 * M, 1)).toBe(AppendStatus.ok);
  expect(appendFloat(app, up, T, 2)).toBe(AppendStatus.ok);
  app.commit();
  return { head, up };
}

function appendAll(head: Head, series: MemSeries, samples: Array<[number, number]>): number[] {
  const app = head.appender();
  const statuses = samples.map(([t, v]) => appendFloat(app, series, t, v));
  app.commit();
  return statuses;
}

describe('Head out-of-order samples', () => {
  it('with a window of 0 refuses them exactly as before', async () => {
    const { head, up } = await headAt({ window: 0 });
    expect(appendAll(head, up, [[T - M, 5]])).toEqual([AppendStatus.outOfOrder]);
    expect(appendAll(head, up, [[T - 2 * H, 5]])).toEqual([AppendStatus.outOfBounds]);
    expect(up.ooo).toBeUndefined();
  });

  it('accepts samples within the window behind the head maximum, refuses older ones as too old', async () => {
    const { head, up } = await headAt({ window: H });
    expect(
      appendAll(head, up, [
        [T - 5 * M, 3],
        [T - H, 4],
        [T - H - 1, 9],
        [T + M, 6],
      ]),
    ).toEqual([AppendStatus.ok, AppendStatus.ok, AppendStatus.tooOld, AppendStatus.ok]);
    expect(head.oooSamplesAppended).toBe(2);
    // The window is measured from the head's maximum when the transaction began: T + M now.
    expect(appendAll(head, up, [[T - H + 30_000, 7]])).toEqual([AppendStatus.tooOld]);
    expect(await queried(head)).toEqual([
      line('up', T - H, 4),
      line('up', T - 10 * M, 1),
      line('up', T - 5 * M, 3),
      line('up', T, 2),
      line('up', T + M, 6),
    ]);
    // In-order time range is untouched by out-of-order samples (Prometheus keeps them apart).
    expect([head.minTime, head.maxTime]).toEqual([T - 10 * M, T + M]);
  });

  it('routes samples older than the in-order minimum of the appender to the out-of-order path', async () => {
    const { head } = await headAt({ window: 3 * H });
    const app = head.appender();
    // A new series: in order for its own sake, but older than max - chunkRange/2 (the appender's minimum).
    const fresh = app.getOrCreate(labelsFromRecord({ __name__: 'fresh' }));
    expect(appendFloat(app, fresh, T - 2 * H, 1)).toBe(AppendStatus.ok);
    app.commit();
    expect(fresh.empty).toBe(false);
    expect(fresh.lastT).toBe(-Infinity);
    expect(fresh.ooo?.minTime).toBe(T - 2 * H);
    expect(await queried(head, T - 3 * H, T - H)).toEqual([line('fresh', T - 2 * H, 1)]);
  });

  it('keeps the first value of a repeated out-of-order timestamp and the in-order duplicate rules', async () => {
    const { head, up } = await headAt({ window: H });
    expect(
      appendAll(head, up, [
        [T - 5 * M, 3],
        [T - 5 * M, 30],
        [T, 2],
        [T, 20],
      ]),
    ).toEqual([AppendStatus.ok, AppendStatus.ok, AppendStatus.duplicateIgnored, AppendStatus.duplicate]);
    expect(head.oooSamplesAppended).toBe(1);
    expect(appendAll(head, up, [[T - 5 * M, 300]])).toEqual([AppendStatus.ok]);
    // An out-of-order sample at an in-order sample's timestamp: the in-order one is returned once.
    expect(appendAll(head, up, [[T - 10 * M, 100]])).toEqual([AppendStatus.ok]);
    expect(await queried(head)).toEqual([line('up', T - 10 * M, 1), line('up', T - 5 * M, 3), line('up', T, 2)]);
  });

  it('merges many overlapping out-of-order chunks with in-order ones in time order', async () => {
    const { head, up } = await headAt({ window: H, capMax: 4 });
    // Descending timestamps, then a second interleaved pass: chunks of 4 that overlap one another.
    const ts: number[] = [];
    for (let i = 1; i <= 20; i++) ts.push(T - i * 2 * M);
    for (let i = 1; i <= 20; i++) ts.push(T - i * 2 * M + M);
    expect(
      appendAll(
        head,
        up,
        ts.map((t) => [t, t / M]),
      ),
    ).toEqual(ts.map(() => AppendStatus.ok));
    expect(up.ooo!.cut.length).toBe(9);
    const got = await queried(head, T - 20 * M, T - 10 * M);
    const expected: string[] = [];
    for (let t = T - 20 * M; t <= T - 10 * M; t += M) expected.push(line('up', t, t === T - 10 * M ? 1 : t / M));
    expect(got).toEqual(expected);
  });

  it('keeps NaN payloads (stale markers) of out-of-order samples bit for bit', async () => {
    const { head, up } = await headAt({ window: H });
    const app = head.appender();
    expect(app.append(up, T - 3 * M, STALE_NAN_HI, STALE_NAN_LO)).toBe(AppendStatus.ok);
    expect(app.append(up, T - 4 * M, 0x7ff80000, 1)).toBe(AppendStatus.ok);
    app.commit();
    const lines = await queried(head, T - 4 * M, T - 3 * M);
    expect(lines).toEqual([
      `up ${T - 4 * M} 7ff80000 1`,
      `up ${T - 3 * M} ${STALE_NAN_HI.toString(16)} ${STALE_NAN_LO}`,
    ]);
  });

  it('logs accepted out-of-order samples to the WBL, which replays after the WAL to the same head', async () => {
    const dir = tempDir('head-ooo-');
    dirs.push(dir);
    const wal = WalWriter.open(join(dir.path, 'wal'));
    const wbl = WalWriter.open(join(dir.path, 'wbl'));
    const { head, up } = await headAt({ window: H, wal, wbl });
    const app = head.appender();
    const other = app.getOrCreate(labelsFromRecord({ __name__: 'other' }));
    appendFloat(app, other, T - 30 * M, 1);
    appendFloat(app, up, T - 20 * M, 7);
    appendFloat(app, up, T - 20 * M, 8);
    app.append(up, T - 15 * M, STALE_NAN_HI, STALE_NAN_LO);
    app.commit();
    const before = await queried(head);
    await wal.close();
    await wbl.close();

    const replayed = await Head.create({ outOfOrderTimeWindow: H });
    replayHeadWal(replayed, join(dir.path, 'wal'));
    const stats = replayHeadWbl(replayed, join(dir.path, 'wbl'));
    expect(stats.samples).toBe(2);
    expect(stats.unknownSeriesSamples).toBe(0);
    expect(before).toHaveLength(5);
    expect(await queried(replayed)).toEqual(before);
  });
});
