import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CacheObserver } from './lru';

/** Label value `item_type` of a cache key: keys start with `P:`, `S:` or `C:`. */
const ITEM_TYPES: Record<string, string> = { P: 'Postings', S: 'Series', C: 'chunks' };
export const itemTypeOf = (key: string): string => ITEM_TYPES[key[0]] ?? 'other';

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []) {
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []) {
  return new Gauge<L>({ name, help, labelNames, registers: [registry] });
}

/** Cache metrics with Thanos's `thanos_store_index_cache_*` shape, under a chosen prefix. */
export class CacheMetrics implements CacheObserver {
  readonly requests: Counter<'item_type'>;
  readonly hits: Counter<'item_type'>;
  readonly additions: Counter<'item_type'>;
  readonly evictions: Counter<'item_type'>;
  readonly items: Gauge<'item_type'>;
  readonly itemsBytes: Gauge<'item_type'>;
  readonly maxBytes: Gauge;

  constructor(registry: Registry, prefix: string, itemTypes: string[], maxBytes: number) {
    this.requests = counter(registry, `${prefix}_requests_total`, 'Total number of items requested from the cache.', [
      'item_type',
    ]);
    this.hits = counter(registry, `${prefix}_hits_total`, 'Total number of requests to the cache that were a hit.', [
      'item_type',
    ]);
    this.additions = counter(
      registry,
      `${prefix}_items_added_total`,
      'Total number of items that were added to the cache.',
      ['item_type'],
    );
    this.evictions = counter(
      registry,
      `${prefix}_items_evicted_total`,
      'Total number of items that were evicted from the cache.',
      ['item_type'],
    );
    this.items = gauge(registry, `${prefix}_items`, 'Current number of items in the cache.', ['item_type']);
    this.itemsBytes = gauge(registry, `${prefix}_items_size_bytes`, 'Current byte size of items in the cache.', [
      'item_type',
    ]);
    this.maxBytes = gauge(registry, `${prefix}_max_size_bytes`, 'Maximum number of bytes to be held in the cache.');
    this.maxBytes.set(maxBytes);
    for (const t of itemTypes) {
      for (const m of [this.requests, this.hits, this.additions, this.evictions]) m.inc({ item_type: t }, 0);
      this.items.set({ item_type: t }, 0);
      this.itemsBytes.set({ item_type: t }, 0);
    }
  }

  request(key: string, hit: boolean): void {
    const item_type = itemTypeOf(key);
    this.requests.inc({ item_type });
    if (hit) this.hits.inc({ item_type });
  }

  added(key: string, bytes: number): void {
    const item_type = itemTypeOf(key);
    this.additions.inc({ item_type });
    this.items.inc({ item_type });
    this.itemsBytes.inc({ item_type }, bytes);
  }

  evicted(key: string, bytes: number): void {
    const item_type = itemTypeOf(key);
    this.evictions.inc({ item_type });
    this.items.dec({ item_type });
    this.itemsBytes.dec({ item_type }, bytes);
  }
}

/** Metrics of the block syncer and the series path (`thanos_bucket_store_*`, `thanos_blocks_meta_*`). */
export class StoreMetrics {
  readonly blocksLoaded: Gauge;
  readonly blockLoads: Counter;
  readonly blockLoadFailures: Counter;
  readonly blockDrops: Counter;
  readonly indexHeaderBuilds: Counter;
  readonly indexHeaderBuildDuration: Histogram;
  readonly indexHeadersBuilt: Counter;
  readonly syncs: Counter;
  readonly syncFailures: Counter;
  readonly syncDuration: Histogram;
  readonly synced: Gauge<'state'>;
  readonly seriesBlocksQueried: Histogram;
  readonly seriesDataTouched: Histogram<'data_type'>;
  readonly seriesDataFetched: Histogram<'data_type'>;
  readonly seriesDataSizeFetched: Histogram<'data_type'>;
  readonly seriesResult: Histogram;
  readonly seriesDuration: Histogram;
  readonly queriesDropped: Counter<'reason'>;
  readonly bucketBytesFetched: Counter<'data_type'>;
  readonly startupSeconds: Gauge;

  constructor(registry: Registry) {
    this.blocksLoaded = gauge(registry, 'thanos_bucket_store_blocks_loaded', 'Number of currently loaded blocks.');
    this.blockLoads = counter(
      registry,
      'thanos_bucket_store_block_loads_total',
      'Total number of remote block loading attempts.',
    );
    this.blockLoadFailures = counter(
      registry,
      'thanos_bucket_store_block_load_failures_total',
      'Total number of failed remote block loading attempts.',
    );
    this.blockDrops = counter(
      registry,
      'thanos_bucket_store_block_drops_total',
      'Total number of local blocks that were dropped.',
    );
    this.indexHeaderBuilds = counter(
      registry,
      'thanos_bucket_store_indexheader_lazy_load_total',
      'Total number of index headers loaded (built from the bucket or read from --data-dir) on first use.',
    );
    this.indexHeaderBuildDuration = new Histogram({
      name: 'thanos_bucket_store_indexheader_lazy_load_duration_seconds',
      help: 'Duration of the index-header lazy loading in seconds.',
      buckets: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 15, 30, 60, 120, 300],
      registers: [registry],
    });
    this.indexHeadersBuilt = counter(
      registry,
      'thanos_bucket_store_indexheader_built_total',
      'Index headers built by range reads of the bucket because --data-dir had no usable copy.',
    );
    this.syncs = counter(registry, 'thanos_blocks_meta_syncs_total', 'Total blocks metadata synchronization attempts.');
    this.syncFailures = counter(
      registry,
      'thanos_blocks_meta_sync_failures_total',
      'Total blocks metadata synchronization failures.',
    );
    this.syncDuration = new Histogram({
      name: 'thanos_blocks_meta_sync_duration_seconds',
      help: 'Duration of the blocks metadata synchronization in seconds.',
      buckets: [0.01, 1, 10, 100, 300, 600, 1000],
      registers: [registry],
    });
    this.synced = gauge(registry, 'thanos_blocks_meta_synced', 'Number of block metadata synced.', ['state']);
    const countBuckets = [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000];
    this.seriesBlocksQueried = new Histogram({
      name: 'thanos_bucket_store_series_blocks_queried',
      help: 'Number of blocks in a bucket store that were touched to satisfy a query.',
      buckets: countBuckets,
      registers: [registry],
    });
    this.seriesDataTouched = new Histogram({
      name: 'thanos_bucket_store_series_data_touched',
      help: 'Number of items of a data type touched to fulfill a single Store API series request.',
      labelNames: ['data_type'],
      buckets: countBuckets,
      registers: [registry],
    });
    this.seriesDataFetched = new Histogram({
      name: 'thanos_bucket_store_series_data_fetched',
      help: 'Number of items of a data type retrieved from the bucket to fulfill a single Store API series request.',
      labelNames: ['data_type'],
      buckets: countBuckets,
      registers: [registry],
    });
    this.seriesDataSizeFetched = new Histogram({
      name: 'thanos_bucket_store_series_data_size_fetched_bytes',
      help: 'Size in bytes of the data fetched from the bucket for a single Store API series request.',
      labelNames: ['data_type'],
      buckets: [1024, 32 * 1024, 1 << 20, 32 << 20, 256 << 20, 1 << 30],
      registers: [registry],
    });
    this.seriesResult = new Histogram({
      name: 'thanos_bucket_store_series_result_series',
      help: 'Number of series observed in the final result of a query.',
      buckets: countBuckets,
      registers: [registry],
    });
    this.seriesDuration = new Histogram({
      name: 'thanos_bucket_store_series_get_all_duration_seconds',
      help: 'Time it takes until all per-block prepares and loads for a query are finished.',
      buckets: [0.001, 0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120],
      registers: [registry],
    });
    this.queriesDropped = counter(
      registry,
      'thanos_bucket_store_queries_dropped_total',
      'Number of queries that were dropped due to the limit.',
      ['reason'],
    );
    for (const reason of ['series', 'samples']) this.queriesDropped.inc({ reason }, 0);
    this.bucketBytesFetched = counter(
      registry,
      'thanos_bucket_store_bucket_fetched_bytes_total',
      'Bytes read from the object store by the series, label and index-header paths.',
      ['data_type'],
    );
    this.startupSeconds = gauge(
      registry,
      'thanos_bucket_store_startup_seconds',
      'Seconds from start until the block list was read and the store became ready.',
    );
  }
}
