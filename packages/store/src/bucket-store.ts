// The StoreAPI over the blocks of a bucket (Thanos's BucketStore): periodic block list
// syncs, block sets per external label set, resolution selection, limits and metrics.
import { join } from 'node:path';
import type { Bucket } from '@thanos-ts/objstore';
import type { Logger } from '@thanos-ts/runtime';
import {
  compareUtf8,
  fromLabelMatchers,
  matchExternalLabels,
  mergeSeriesSets,
  PartialResponseStrategy,
  removeLabels,
  StoreApiError,
  withExternalLabels,
  type InfoResponse,
  type InfoServerImpl,
  type Label,
  type Matcher as WireMatcher,
  type Series,
  type StoreServerImpl,
} from '@thanos-ts/storepb';
import { CorruptionError, newMatcher, RegexSyntaxError, type Matcher } from '@thanos-ts/tsdb';
import type { Registry } from 'prom-client';
import { BlockMetaFetcher, type BlockFilters, type SyncResult } from './block-sync';
import { BlockSet } from './block-set';
import { BucketBlock, indexItemBytes, type BlockContext, type IndexCacheItem } from './bucket-block';
import type { StoredChunk } from './chunk-fetcher';
import { BlockLoadError, LimitExceededError } from './errors';
import { ByteLruCache } from './lru';
import { CacheMetrics, StoreMetrics } from './metrics';
import { RequestStats, type SeriesLimits } from './request-stats';
import { Semaphore } from './semaphore';

export interface BucketStoreConfig {
  bucket: Bucket;
  /** Where index-headers are kept (`<dataDir>/<ULID>/index-header`). */
  dataDir: string;
  logger: Logger;
  registry: Registry;
  /** Byte budget of the postings and series cache (`--index-cache-size`). */
  indexCacheBytes: number;
  /** Byte budget of the chunk cache (`--chunk-pool-size`). */
  chunkCacheBytes: number;
  filters: BlockFilters;
  limits: SeriesLimits;
  /** Index-headers built in parallel, and meta.json reads in parallel. */
  blockSyncConcurrency: number;
}

/** Matchers of a request after external labels took theirs; none selects every series. */
function toTsdbMatchers(matchers: WireMatcher[]): Matcher[] {
  if (matchers.length === 0) return [newMatcher('=', '', '')];
  try {
    return matchers.map((m) => newMatcher(m.type, m.name, m.value));
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw StoreApiError.invalidArgument(err.message);
    throw err;
  }
}

interface MatchedSet {
  set: BlockSet;
  /** Matchers selecting the series of the set's blocks. */
  remaining: Matcher[];
  /** The same, but empty when nothing is left to filter on (label calls then use the index tables). */
  filter: Matcher[];
}

/** Local copies of meta.json files under --data-dir (Thanos's name). */
const META_CACHE_DIRNAME = 'meta-syncer';

const labelsKey = (ls: Label[]) => ls.map((l) => `${l.name}\xff${l.value}`).join('\xff');

export class BucketStore {
  private readonly fetcher: BlockMetaFetcher;
  private readonly ctx: BlockContext;
  private readonly blocks = new Map<string, BucketBlock>();
  private sets = new Map<string, BlockSet>();
  readonly metrics: StoreMetrics;
  readonly indexCache: ByteLruCache<IndexCacheItem>;
  readonly chunkCache: ByteLruCache<StoredChunk>;
  /** True once the block list was read at least once. */
  synced = false;

  constructor(readonly config: BucketStoreConfig) {
    this.metrics = new StoreMetrics(config.registry);
    const indexMetrics = new CacheMetrics(
      config.registry,
      'thanos_store_index_cache',
      ['Postings', 'Series'],
      config.indexCacheBytes,
    );
    const chunkMetrics = new CacheMetrics(
      config.registry,
      'thanos_store_chunk_cache',
      ['chunks'],
      config.chunkCacheBytes,
    );
    this.indexCache = new ByteLruCache(config.indexCacheBytes, indexItemBytes, indexMetrics);
    this.chunkCache = new ByteLruCache(config.chunkCacheBytes, (c) => c.data.length + 64, chunkMetrics);
    this.ctx = {
      bucket: config.bucket,
      dataDir: config.dataDir,
      indexCache: this.indexCache,
      chunkCache: this.chunkCache,
      metrics: this.metrics,
      loads: new Semaphore(Math.max(1, config.blockSyncConcurrency)),
    };
    this.fetcher = new BlockMetaFetcher(
      config.bucket,
      config.filters,
      Math.max(1, config.blockSyncConcurrency),
      join(config.dataDir, META_CACHE_DIRNAME),
    );
  }

  /** Blocks currently served. */
  loadedBlocks(): BucketBlock[] {
    return [...this.blocks.values()];
  }

  /** Reads the block list and (un)loads blocks. Throws when the bucket cannot be listed; the old list stays. */
  async sync(): Promise<SyncResult> {
    const { metrics } = this;
    const { logger } = this.config;
    const started = performance.now();
    metrics.syncs.inc();
    let result: SyncResult;
    try {
      result = await this.fetcher.fetch();
    } catch (err) {
      metrics.syncFailures.inc();
      throw err;
    } finally {
      metrics.syncDuration.observe((performance.now() - started) / 1000);
    }
    for (const [state, n] of Object.entries(result.states)) metrics.synced.set({ state }, n);
    for (const c of result.corrupted)
      logger.warn('skipping block with unreadable meta.json', { block: c.id, err: c.error });
    const wanted = new Set(result.metas.map((m) => m.ulid));
    for (const [id, block] of this.blocks) {
      if (wanted.has(id)) continue;
      this.blocks.delete(id);
      metrics.blockDrops.inc();
      await block.close();
    }
    for (const meta of result.metas) {
      if (!this.blocks.has(meta.ulid)) this.blocks.set(meta.ulid, new BucketBlock(meta, this.ctx));
    }
    this.rebuildSets();
    this.synced = true;
    return result;
  }

  private rebuildSets(): void {
    const sets = new Map<string, BlockSet>();
    for (const b of this.blocks.values()) {
      const key = labelsKey(b.externalLabels);
      let set = sets.get(key);
      if (!set) sets.set(key, (set = new BlockSet(b.externalLabels)));
      set.add(b);
    }
    this.sets = sets;
    this.metrics.blocksLoaded.set(this.blocks.size);
  }

  /** Unloads the index-headers of blocks unused for `idleMs` (Thanos's lazy reader idle timeout); returns how many. */
  async unloadIdle(idleMs: number, now = Date.now()): Promise<number> {
    let n = 0;
    for (const b of this.blocks.values()) {
      if (!b.loaded || now - b.lastUsed < idleMs) continue;
      await b.unload();
      n++;
    }
    return n;
  }

  /** Removes a block that cannot be served, until a later sync brings it back. */
  private dropFailed(block: BucketBlock, err: BlockLoadError): void {
    if (this.blocks.get(block.id) !== block) return;
    this.config.logger.error('dropping block that failed to load', { block: block.id, err: err.message });
    this.metrics.blockLoadFailures.inc();
    this.metrics.blockDrops.inc();
    this.blocks.delete(block.id);
    void block.close();
    this.rebuildSets();
  }

  /** Runs `fn` on a block; a load failure drops the block and becomes a warning. */
  private async guarded<T>(block: BucketBlock, stats: RequestStats, fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BlockLoadError)) throw err;
      this.dropFailed(block, err);
      stats.warnings.push(err.message);
      return fallback;
    }
  }

  private async *guardedSeries(
    block: BucketBlock,
    stats: RequestStats,
    it: AsyncGenerator<Series>,
  ): AsyncGenerator<Series> {
    try {
      yield* it;
    } catch (err) {
      const failure =
        err instanceof BlockLoadError
          ? err
          : err instanceof CorruptionError
            ? new BlockLoadError(block.id, err.message, { cause: err })
            : undefined;
      if (!failure) throw err;
      this.dropFailed(block, failure);
      stats.warnings.push(failure.message);
    }
  }

  /**
   * Block sets whose external labels the matchers accept, with the matchers left for
   * their blocks (`filter` is empty when external labels used them all up).
   */
  private matchingSets(matchers: WireMatcher[]): MatchedSet[] {
    const out: MatchedSet[] = [];
    for (const set of this.sets.values()) {
      const m = matchExternalLabels(matchers, set.labels);
      if (m.matches)
        out.push({
          set,
          remaining: toTsdbMatchers(m.remaining),
          filter: m.remaining.length === 0 ? [] : toTsdbMatchers(m.remaining),
        });
    }
    return out;
  }

  private checkPartial(strategy: number, stats: RequestStats): void {
    if (strategy === PartialResponseStrategy.ABORT && stats.warnings.length > 0) {
      throw StoreApiError.unavailable(stats.warnings.join('; '));
    }
  }

  readonly store: StoreServerImpl = {
    series: async (req, sink, ctx) => {
      const started = performance.now();
      const matchers = fromLabelMatchers(req.matchers);
      if (matchers.length === 0) throw StoreApiError.invalidArgument('no matchers specified (excluded all series)');
      const stats = new RequestStats(this.config.limits);
      const replicaLabels = new Set(req.withoutReplicaLabels);
      const strategy = req.partialResponseDisabled ? PartialResponseStrategy.ABORT : req.partialResponseStrategy;
      const streams = this.matchingSets(matchers).map(({ set, remaining }) => {
        const blocks = set.blocksFor(req.minTime, req.maxTime, req.maxResolutionWindow);
        stats.blocksQueried += blocks.length;
        const external = removeLabels(set.labels, replicaLabels);
        const perBlock = blocks.map((b) =>
          this.guardedSeries(
            b,
            stats,
            b.series({
              matchers: remaining,
              minTime: req.minTime,
              maxTime: req.maxTime,
              skipChunks: req.skipChunks,
              aggregates: req.aggregates,
              stats,
              signal: ctx.signal,
            }),
          ),
        );
        return withExternal(mergeSeriesSets(perBlock), external);
      });
      let sent = 0;
      const limit = req.limit > 0 ? req.limit : Infinity;
      try {
        for await (const series of mergeSeriesSets(streams)) {
          await sink.send({ type: 'series', series });
          if (++sent >= limit) break;
        }
      } catch (err) {
        if (err instanceof LimitExceededError) this.metrics.queriesDropped.inc({ reason: err.limit });
        throw err;
      }
      this.checkPartial(strategy, stats);
      for (const w of stats.warnings) await sink.send({ type: 'warning', warning: w });
      this.observe(stats, sent, started);
    },

    labelNames: async (req) => {
      const stats = new RequestStats();
      const lists = await Promise.all(
        this.matchingSets(fromLabelMatchers(req.matchers)).flatMap(({ set, filter }) =>
          set.blocksFor(req.start, req.end, Number.MAX_SAFE_INTEGER).map(async (b) => {
            const names = await this.guarded(b, stats, [], () => b.labelNames(filter, stats));
            return names.length === 0 ? [] : [...names, ...set.labels.map((l) => l.name)];
          }),
        ),
      );
      this.checkPartial(req.partialResponseStrategy, stats);
      let names = [...new Set(lists.flat())].sort(compareUtf8);
      if (req.limit > 0) names = names.slice(0, req.limit);
      return { names, warnings: stats.warnings };
    },

    labelValues: async (req) => {
      const stats = new RequestStats();
      if (req.withoutReplicaLabels.includes(req.label)) return { values: [], warnings: [] };
      const lists = await Promise.all(
        this.matchingSets(fromLabelMatchers(req.matchers)).flatMap(({ set, filter }) => {
          const blocks = set.blocksFor(req.start, req.end, Number.MAX_SAFE_INTEGER);
          const ext = set.labels.find((l) => l.name === req.label);
          if (ext) return blocks.length > 0 ? [Promise.resolve([ext.value])] : [];
          return blocks.map((b) => this.guarded(b, stats, [], () => b.labelValues(req.label, filter)));
        }),
      );
      this.checkPartial(req.partialResponseStrategy, stats);
      let values = [...new Set(lists.flat())].sort(compareUtf8);
      if (req.limit > 0) values = values.slice(0, req.limit);
      return { values, warnings: stats.warnings };
    },
  };

  readonly info: InfoServerImpl = {
    info: (): InfoResponse => {
      const sets = [...this.sets.values()];
      const tsdbInfos = sets.map((s) => {
        const blocks = s.blocks;
        return {
          labels: { labels: s.labels },
          minTime: Math.min(...blocks.map((b) => b.minTime)),
          maxTime: Math.max(...blocks.map((b) => b.maxTime)),
        };
      });
      return {
        componentType: 'store',
        labelSets: sets.map((s) => ({ labels: s.labels })),
        store: {
          minTime: tsdbInfos.length ? Math.min(...tsdbInfos.map((t) => t.minTime)) : Number.MAX_SAFE_INTEGER,
          maxTime: tsdbInfos.length ? Math.max(...tsdbInfos.map((t) => t.maxTime)) : Number.MIN_SAFE_INTEGER,
          supportsSharding: false,
          supportsWithoutReplicaLabels: true,
          supportsProjections: false,
          tsdbInfos,
        },
      };
    },
  };

  private observe(stats: RequestStats, series: number, started: number): void {
    const m = this.metrics;
    m.seriesBlocksQueried.observe(stats.blocksQueried);
    m.seriesDataTouched.observe({ data_type: 'postings' }, stats.postingsTouched);
    m.seriesDataTouched.observe({ data_type: 'series' }, stats.seriesTouched);
    m.seriesDataTouched.observe({ data_type: 'chunks' }, stats.chunksTouched);
    m.seriesDataFetched.observe({ data_type: 'series' }, stats.seriesFetched);
    m.seriesDataFetched.observe({ data_type: 'chunks' }, stats.chunksFetched);
    m.seriesResult.observe(series);
    m.seriesDuration.observe((performance.now() - started) / 1000);
  }

  async close(): Promise<void> {
    for (const b of this.blocks.values()) await b.close();
    this.blocks.clear();
    this.rebuildSets();
  }
}

async function* withExternal(series: AsyncIterable<Series>, external: Label[]): AsyncGenerator<Series> {
  for await (const s of series) yield { labels: withExternalLabels(s.labels, external), chunks: s.chunks };
}
