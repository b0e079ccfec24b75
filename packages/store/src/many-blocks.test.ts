import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FilesystemBucket } from '@thanos-ts/objstore';
import { LabelMatcherType } from '@thanos-ts/storepb';
import { tempDir } from '@thanos-ts/testkit';
import { XorChunkIterator } from '@thanos-ts/tsdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_HEADER_FILENAME } from './index-header';
import { fetchSeries, metricValue, startGateway, type RunningGateway } from './testing/harness';
import { syntheticValue, writeSyntheticBlocks } from './testing/synthetic';

const BLOCKS = 200;
const SERIES = 6;
const STEP = 300_000;
const BLOCK_MS = 2 * 3_600_000;
const START = 1_700_000_000_000 - (1_700_000_000_000 % BLOCK_MS);
const TINY_CACHE = 8 << 10;

/** Checks every sample of `series` against the generator; returns the sample count. */
function checkSamples(series: Awaited<ReturnType<typeof fetchSeries>>['series'], mint: number, maxt: number): number {
  const it = new XorChunkIterator();
  let n = 0;
  const wrong: string[] = [];
  for (const s of series) {
    const i = Number(s.labels.find((l) => l.name === 'instance')!.value.slice(5));
    let last = -Infinity;
    for (const c of s.chunks) {
      it.reset(c.raw!.data);
      while (it.next()) {
        if (it.t < mint || it.t > maxt) continue;
        if (it.t <= last || it.v !== syntheticValue(i, it.t)) wrong.push(`series ${i} at ${it.t}: ${it.v}`);
        last = it.t;
        n++;
      }
    }
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  return n;
}

describe(`a bucket of ${BLOCKS} small blocks`, () => {
  const bucketDir = tempDir('store-many-bucket-');
  const dataDir = tempDir('store-many-data-');
  let gw: RunningGateway;
  const headers = () =>
    readdirSync(dataDir.path).filter((id) => existsSync(join(dataDir.path, id, INDEX_HEADER_FILENAME))).length;

  beforeAll(async () => {
    await writeSyntheticBlocks(bucketDir.path, {
      blocks: BLOCKS,
      seriesPerBlock: SERIES,
      scrapeIntervalMs: STEP,
      blockDurationMs: BLOCK_MS,
      start: START,
      labels: { cluster: 'many' },
    });
    gw = await startGateway(new FilesystemBucket(bucketDir.path), {
      dataDir: dataDir.path,
      indexCacheBytes: TINY_CACHE,
      chunkCacheBytes: TINY_CACHE,
      blockSyncConcurrency: 4,
    });
  }, 60_000);
  afterAll(async () => {
    await gw.stop();
    bucketDir.cleanup();
    dataDir.cleanup();
  });

  it('is ready once the block list is read, before any index-header is built', async () => {
    console.log(`store gateway ready with ${BLOCKS} blocks after ${gw.gateway.startupMs?.toFixed(0)} ms`);
    expect(gw.gateway.ready()).toBe(true);
    expect(await metricValue(gw.registry, 'thanos_bucket_store_blocks_loaded')).toBe(BLOCKS);
    expect(headers()).toBe(0);
  });

  it('builds index-headers only for the blocks a query touches', async () => {
    const mint = START + 10 * BLOCK_MS + 1000;
    const maxt = mint + 3 * 3_600_000 - 1000;
    const { series } = await fetchSeries(gw.client, {
      minTime: mint,
      maxTime: maxt,
      matchers: [{ type: LabelMatcherType.EQ, name: 'job', value: 'odd' }],
    });
    expect(series.length).toBe(SERIES / 2);
    expect(checkSamples(series, mint, maxt)).toBe((SERIES / 2) * ((3 * 3_600_000) / STEP));
    expect(headers()).toBe(2);
  });

  it('answers right over all blocks with caches far smaller than the data, evicting', async () => {
    const req = {
      minTime: START,
      maxTime: START + BLOCKS * BLOCK_MS,
      matchers: [{ type: LabelMatcherType.RE, name: 'instance', value: 'host-0000[0-3]' }],
    };
    for (let round = 0; round < 2; round++) {
      const { series } = await fetchSeries(gw.client, req);
      expect(series.length).toBe(4);
      expect(checkSamples(series, req.minTime, req.maxTime)).toBe(4 * BLOCKS * (BLOCK_MS / STEP));
    }
    expect(headers()).toBe(BLOCKS);
    expect(await metricValue(gw.registry, 'thanos_store_index_cache_items_evicted_total')).toBeGreaterThan(0);
    expect(await metricValue(gw.registry, 'thanos_store_chunk_cache_items_evicted_total')).toBeGreaterThan(0);
    expect(gw.gateway.store.indexCache.bytes).toBeLessThanOrEqual(TINY_CACHE);
    expect(gw.gateway.store.chunkCache.bytes).toBeLessThanOrEqual(TINY_CACHE);
  });

  it('unloads idle index-headers and reloads them from --data-dir on the next use', async () => {
    const store = gw.gateway.store;
    const built = await metricValue(gw.registry, 'thanos_bucket_store_indexheader_built_total');
    expect(await store.unloadIdle(0)).toBe(BLOCKS);
    expect(store.loadedBlocks().filter((b) => b.loaded).length).toBe(0);
    const { series } = await fetchSeries(gw.client, {
      minTime: START,
      maxTime: START + BLOCKS * BLOCK_MS,
      matchers: [{ type: LabelMatcherType.EQ, name: 'instance', value: 'host-00002' }],
    });
    expect(checkSamples(series, START, START + BLOCKS * BLOCK_MS)).toBe(BLOCKS * (BLOCK_MS / STEP));
    expect(await metricValue(gw.registry, 'thanos_bucket_store_indexheader_built_total')).toBe(built);
    expect(await store.unloadIdle(60_000)).toBe(0);
  });

  it('reuses the meta.json copies and index-headers in --data-dir after a restart', async () => {
    const again = await startGateway(new FilesystemBucket(bucketDir.path), { dataDir: dataDir.path });
    try {
      expect(await metricValue(again.registry, 'thanos_bucket_store_blocks_loaded')).toBe(BLOCKS);
      expect(await metricValue(again.registry, 'thanos_objstore_bucket_operations_total', { operation: 'get' })).toBe(
        0,
      );
      const { series } = await fetchSeries(again.client, {
        minTime: START,
        maxTime: START + BLOCKS * BLOCK_MS,
        matchers: [{ type: LabelMatcherType.EQ, name: 'instance', value: 'host-00005' }],
      });
      expect(series.length).toBe(1);
      expect(await metricValue(again.registry, 'thanos_bucket_store_indexheader_lazy_load_total')).toBe(BLOCKS);
      expect(await metricValue(again.registry, 'thanos_bucket_store_indexheader_built_total')).toBe(0);
    } finally {
      await again.stop();
    }
  });
});
