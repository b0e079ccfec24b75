import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promtool, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readBlockMeta } from '../meta';
import { BackfillError, backfillOpenMetrics, blockDurationForBackfill } from './index';

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function temp(): string {
  const d = tempDir('backfill-');
  dirs.push(d);
  return d.path;
}

/** Runs ours and promtool on the same input and checks that every block is byte-identical (ULIDs aside). */
async function expectSameBlocksAsPromtool(input: string, maxBlockDuration?: number): Promise<number> {
  const root = temp();
  const file = join(root, 'input.om');
  writeFileSync(file, input);
  const ours = join(root, 'ours');
  const theirs = join(root, 'theirs');
  await backfillOpenMetrics(input, ours, { maxBlockDuration, fsync: false });
  const flags = maxBlockDuration ? [`--max-block-duration=${maxBlockDuration / 3_600_000}h`] : [];
  const r = promtool(['tsdb', 'create-blocks-from', 'openmetrics', '-q', ...flags, file, theirs]);
  expect(r.stderr).toBe('');
  const metas = (dir: string) => readdirSync(dir).map((u) => readBlockMeta(join(dir, u)));
  const ourMetas = metas(ours);
  const theirMetas = metas(theirs);
  expect(ourMetas.map((m) => [m.minTime, m.maxTime, m.stats]).sort()).toEqual(
    theirMetas.map((m) => [m.minTime, m.maxTime, m.stats]).sort(),
  );
  for (const m of ourMetas) {
    const twin = theirMetas.find((t) => t.minTime === m.minTime)!;
    for (const f of ['index', 'chunks/000001']) {
      expect(readFileSync(join(ours, m.ulid, f)).equals(readFileSync(join(theirs, twin.ulid, f)))).toBe(true);
    }
  }
  return ourMetas.length;
}

const T0 = 1_672_531_200; // 2023-01-01T00:00:00Z, 2h-aligned (seconds)

describe('backfillOpenMetrics', () => {
  it('drops out-of-order and duplicate samples within one commit like promtool and merges label orders', async () => {
    const lines = ['# TYPE m gauge'];
    for (let i = 0; i < 400; i++) {
      const ts = T0 + 3000 + i * 37.5;
      lines.push(`m{b="1",a="2"} ${i % 7 === 0 ? 'NaN' : i / 3} ${ts}`);
      if (i % 50 === 0) lines.push(`m{a="2",b="1"} ${i / 3} ${ts}`); // same series, same sample: ignored
      if (i % 60 === 1) lines.push(`m{a="2",b="1"} -0 ${ts - 20}`); // older than the previous one: dropped at commit
      lines.push(`other{x="日本"} ${i % 3 === 0 ? '+Inf' : -i} ${ts + 0.001}`);
    }
    lines.push('# EOF', '');
    expect(await expectSameBlocksAsPromtool(lines.join('\n'))).toBe(3);
  });

  it('cuts larger blocks for --max-block-duration as promtool does', async () => {
    expect(blockDurationForBackfill(0)).toBe(2 * 3_600_000);
    expect(blockDurationForBackfill(24 * 3_600_000)).toBe(18 * 3_600_000);
    expect(blockDurationForBackfill(1000 * 24 * 3_600_000)).toBe(2 * 3_600_000 * 3 ** 8);
    expect(blockDurationForBackfill(1e6 * 3_600_000)).toBe(2 * 3_600_000 * 3 ** 9);
    const lines = [];
    for (let i = 0; i < 2000; i++) lines.push(`slow{job="a"} ${i} ${T0 + i * 90}`);
    lines.push('# EOF', '');
    expect(await expectSameBlocksAsPromtool(lines.join('\n'), 24 * 3_600_000)).toBe(4);
  });

  it('fails on an out-of-order sample after a commit, as promtool does', async () => {
    const lines = [];
    for (let i = 0; i < 5001; i++) lines.push(`c{i="${i % 2}"} ${i} ${T0 + i}`);
    lines.push(`c{i="0"} 1 ${T0 + 10}`, '# EOF', '');
    const input = lines.join('\n');
    const root = temp();
    await expect(backfillOpenMetrics(input, join(root, 'ours'), { fsync: false })).rejects.toThrow(
      new BackfillError(
        `block creation: process blocks: add sample: out of order sample (series {__name__="c", i="0"}, timestamp ${(T0 + 10) * 1000})`,
      ),
    );
    writeFileSync(join(root, 'input.om'), input);
    const r = promtool(['tsdb', 'create-blocks-from', 'openmetrics', join(root, 'input.om'), join(root, 'theirs')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('block creation: process blocks: add sample: out of order sample');
  });

  it('reports input errors with their line', async () => {
    await expect(backfillOpenMetrics('x 1\n# EOF\n', temp(), { fsync: false })).rejects.toThrow(
      /^getting min and max timestamp: line 1: expected timestamp/,
    );
  });
});
