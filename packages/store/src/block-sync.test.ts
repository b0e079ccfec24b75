import { join } from 'node:path';
import { FilesystemBucket, markForDeletion, type Bucket } from '@thanos-ts/objstore';
import { LabelMatcherType } from '@thanos-ts/storepb';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockMetaFetcher, type BlockFilters } from './block-sync';
import { parseRelabelConfig } from './relabel';
import { fetchSeries, fixtureBlockIds, fixtureBlocksDir, startGateway, uploadBlocks } from './testing/harness';

const [FIRST, MIDDLE, LAST] = fixtureBlockIds;
const OPEN: BlockFilters = {
  minTime: Number.MIN_SAFE_INTEGER,
  maxTime: Number.MAX_SAFE_INTEGER,
  relabel: [],
  ignoreDeletionMarksDelayMs: 24 * 3_600_000,
};
const HOUR = 3_600_000;

describe('block list sync', () => {
  const dir = tempDir('store-sync-bucket-');
  let bucket: Bucket;

  beforeAll(async () => {
    bucket = new FilesystemBucket(dir.path);
    await uploadBlocks(bucket, { shard: '0' }, [join(fixtureBlocksDir, FIRST)]);
    await uploadBlocks(bucket, { shard: '1' }, [join(fixtureBlocksDir, MIDDLE)]);
    await uploadBlocks(bucket, { shard: '0' }, [join(fixtureBlocksDir, LAST)]);
    // A partial upload: data without meta.json.
    await bucket.upload('01HZZZZZZZZZZZZZZZZZZZZZZZ/index', new Uint8Array([1, 2, 3]));
  });
  afterAll(() => dir.cleanup());

  it('ignores partial uploads and reports them', async () => {
    const r = await new BlockMetaFetcher(bucket, OPEN).fetch();
    expect(r.metas.map((m) => m.ulid)).toEqual([FIRST, MIDDLE, LAST]);
    expect(r.states.partial).toBe(1);
  });

  it('ignores blocks whose deletion mark is older than the delay, serves younger marks', async () => {
    const now = Date.now();
    await markForDeletion(bucket, LAST, 'test', { now: () => new Date(now - 2 * HOUR) });
    const strict = await new BlockMetaFetcher(bucket, { ...OPEN, ignoreDeletionMarksDelayMs: HOUR }).fetch(now);
    expect(strict.metas.map((m) => m.ulid)).toEqual([FIRST, MIDDLE]);
    expect(strict.states['marked-for-deletion']).toBe(1);
    const lenient = await new BlockMetaFetcher(bucket, { ...OPEN, ignoreDeletionMarksDelayMs: 3 * HOUR }).fetch(now);
    expect(lenient.metas.map((m) => m.ulid)).toEqual([FIRST, MIDDLE, LAST]);
    await bucket.delete(`${LAST}/deletion-mark.json`);
  });

  it('keeps only blocks overlapping --min-time/--max-time', async () => {
    const r = await new BlockMetaFetcher(bucket, { ...OPEN, minTime: 1672538400000, maxTime: 1672540000000 }).fetch();
    expect(r.metas.map((m) => m.ulid)).toEqual([MIDDLE]);
    expect(r.states['time-excluded']).toBe(2);
  });

  it('shards by relabelling external labels (keep / drop, __block_id)', async () => {
    const keep = parseRelabelConfig('- action: keep\n  source_labels: [shard]\n  regex: "0"\n');
    expect((await new BlockMetaFetcher(bucket, { ...OPEN, relabel: keep }).fetch()).metas.map((m) => m.ulid)).toEqual([
      FIRST,
      LAST,
    ]);
    const drop = parseRelabelConfig(`- action: drop\n  source_labels: [__block_id]\n  regex: ${FIRST}\n`);
    const r = await new BlockMetaFetcher(bucket, { ...OPEN, relabel: drop }).fetch();
    expect(r.metas.map((m) => m.ulid)).toEqual([MIDDLE, LAST]);
    expect(r.states['label-excluded']).toBe(1);
  });

  it('serves only the shard it keeps, and Info shows one label set per shard', async () => {
    const gw = await startGateway(bucket, {
      filters: { ...OPEN, relabel: parseRelabelConfig('- action: keep\n  source_labels: [shard]\n  regex: "1"\n') },
    });
    try {
      const info = await gw.client.info();
      expect(info.labelSets).toEqual([{ labels: [{ name: 'shard', value: '1' }] }]);
      expect(info.store?.minTime).toBe(1672538400000);
      const { series } = await fetchSeries(gw.client, {
        minTime: Number.MIN_SAFE_INTEGER,
        maxTime: Number.MAX_SAFE_INTEGER,
        matchers: [{ type: LabelMatcherType.EQ, name: 'shard', value: '0' }],
      });
      expect(series).toEqual([]);
    } finally {
      await gw.stop();
    }
    const all = await startGateway(bucket);
    try {
      expect((await all.client.info()).labelSets.length).toBe(2);
    } finally {
      await all.stop();
    }
  });
});
