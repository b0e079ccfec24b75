// A compactor killed with SIGKILL at the worst moments (a real process, the bundled CLI)
// must leave a bucket that answers queries with the same data, and the next run must end
// with each sample stored once.
import { join } from 'node:path';
import { startCli } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readBucketState } from './bucket-state';
import { CRASH_ENV } from './crash-points';
import { dumpLive, liveBlocks, testBucket, uploadSamplesBlock, type TestBucket } from './testing/bucket-fixtures';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
let tb: TestBucket;
afterEach(() => tb?.cleanup());

async function fiveBlocks(): Promise<number> {
  let samples = 0;
  for (let i = 0; i < 5; i++) {
    const t = T0 + i * 2 * HOUR;
    const series = ['a', 'b', 'c'].map((job) => ({
      labels: { __name__: 'up', job },
      timestamps: Array.from({ length: 240 }, (_, k) => t + k * 30_000),
      values: Array.from({ length: 240 }, (_, k) => k + i),
    }));
    samples += 3 * 240;
    await uploadSamplesBlock(tb, series, { tenant_id: 'a' }, { mint: t, maxt: t + 2 * HOUR });
  }
  return samples;
}

async function runCompactCli(crash?: string): Promise<number | string> {
  const args = [
    'compact',
    `--objstore.config=type: FILESYSTEM\nconfig:\n  directory: ${tb.dir}\n`,
    `--data-dir=${join(tb.scratch, 'cli-data')}`,
    '--consistency-delay=0s',
    '--downsampling.disable',
    '--log.level=warn',
  ];
  if (crash) process.env[CRASH_ENV] = crash;
  try {
    const p = startCli(args);
    const code = await p.exited;
    if (!crash && code !== 0) throw new Error(`compact exited with ${code}:\n${p.output()}`);
    return code;
  } finally {
    delete process.env[CRASH_ENV];
  }
}

async function liveSamples(): Promise<number> {
  return (await liveBlocks(tb)).reduce((n, m) => n + (m.stats.numSamples ?? 0), 0);
}

describe('compactor killed mid-run', () => {
  it('SIGKILL between upload and deletion marks: same data, and the next run removes the duplicates', async () => {
    tb = testBucket();
    const total = await fiveBlocks();
    const before = await dumpLive(tb);
    expect(await runCompactCli('after-upload')).toBe('SIGKILL');
    const state = await readBucketState(tb.bucket);
    expect(state.blocks).toHaveLength(6);
    expect(state.blocks.filter((b) => b.deletionTime !== undefined)).toHaveLength(0);
    expect(await dumpLive(tb)).toBe(before);

    expect(await runCompactCli()).toBe(0);
    expect(await dumpLive(tb)).toBe(before);
    expect(await liveSamples()).toBe(total);
    expect((await liveBlocks(tb)).map((m) => m.compaction.level).sort()).toEqual([1, 2]);
  });

  it('SIGKILL mid-upload: the partial block is ignored and the next run compacts again', async () => {
    tb = testBucket();
    const total = await fiveBlocks();
    const before = await dumpLive(tb);
    expect(await runCompactCli('mid-upload')).toBe('SIGKILL');
    let state = await readBucketState(tb.bucket);
    expect(state.partial).toHaveLength(1);
    expect(await dumpLive(tb)).toBe(before);

    expect(await runCompactCli()).toBe(0);
    state = await readBucketState(tb.bucket);
    expect(state.partial).toHaveLength(1);
    expect(await dumpLive(tb)).toBe(before);
    expect(await liveSamples()).toBe(total);
  });
});
