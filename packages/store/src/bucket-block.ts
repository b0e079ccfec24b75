// One block of the bucket served without downloading it: the index-header (built on
// first use, kept under --data-dir) answers label and postings-offset lookups, postings
// lists, series entries and chunks are range reads, all three behind byte-bounded caches.
import { join } from 'node:path';
import { CHUNKS_DIRNAME, INDEX_FILENAME, isObjNotFoundErr, type BlockMeta, type Bucket } from '@thanos-ts/objstore';
import type { AggrChunk, Label, Series } from '@thanos-ts/storepb';
import {
  CorruptionError,
  IndexReader,
  labelValuesForMatchers,
  mergePostings,
  postingsForMatchers,
  type ByteRangeSource,
  type Matcher,
  type PostingsReader,
  type SeriesEntry,
} from '@thanos-ts/tsdb';
import { aggrChunkFrom, aggrChunkSamples, CHUNK_ENC_AGGR } from './aggr-chunk';
import { BucketObjectSource } from './bucket-source';
import { fetchChunks, type StoredChunk } from './chunk-fetcher';
import { BlockLoadError, BucketUnavailableError } from './errors';
import { IndexHeaderSource, INDEX_HEADER_FILENAME, loadIndexHeader } from './index-header';
import type { ByteLruCache } from './lru';
import type { StoreMetrics } from './metrics';
import type { RequestStats } from './request-stats';
import type { Semaphore } from './semaphore';

/** Series handled per round of series-entry and chunk fetches. */
const SERIES_BATCH = 10_000;
const CHUNKS_MAGIC = 0x85bd40dd;
/** StoreAPI `Chunk.Encoding` = TSDB encoding − 1 (XOR 1 → 0). */
const TSDB_ENCODING_OFFSET = 1;

export type IndexCacheItem = Uint32Array | number[] | SeriesEntry;

/** What every block of a store shares. */
export interface BlockContext {
  bucket: Bucket;
  dataDir: string;
  indexCache: ByteLruCache<IndexCacheItem>;
  chunkCache: ByteLruCache<StoredChunk>;
  metrics: StoreMetrics;
  /** Bounds how many index-headers are built at once. */
  loads: Semaphore;
}

export interface BlockSelect {
  matchers: Matcher[];
  minTime: number;
  maxTime: number;
  skipChunks: boolean;
  aggregates: readonly number[];
  stats: RequestStats;
  signal?: AbortSignal;
}

interface OpenBlock {
  index: IndexReader;
  segments: ByteRangeSource[];
  postings: PostingsReader;
}

/** Rough heap size of a cached index item, for the cache's byte budget. */
export function indexItemBytes(item: IndexCacheItem): number {
  if (item instanceof Uint32Array) return item.byteLength + 64;
  if (Array.isArray(item)) return item.length * 8 + 64;
  let n = 64 + item.chunks.length * 48;
  for (const l of item.labels) n += 2 * (l.name.length + l.value.length) + 48;
  return n;
}

export class BucketBlock {
  readonly id: string;
  /** External labels, sorted by name. */
  readonly externalLabels: Label[];
  private opening: Promise<OpenBlock> | undefined;
  /** Set once the block turned out to be unusable; the store drops it. */
  failure: BlockLoadError | undefined;
  /** When a request last used the block (ms since the epoch). */
  lastUsed = 0;

  constructor(
    readonly meta: BlockMeta,
    private readonly ctx: BlockContext,
  ) {
    this.id = meta.ulid;
    this.externalLabels = Object.entries(meta.thanos.labels ?? {})
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get resolution(): number {
    return this.meta.thanos.downsample?.resolution ?? 0;
  }

  get minTime(): number {
    return this.meta.minTime;
  }

  /** Inclusive end (meta.json's maxTime is exclusive). */
  get maxTime(): number {
    return this.meta.maxTime - 1;
  }

  /** Whether the index-header is loaded (or being loaded). */
  get loaded(): boolean {
    return this.opening !== undefined;
  }

  /**
   * Opens the block on first use: index-header from --data-dir or built by range reads,
   * chunk segment sizes checked against meta.json. Corruption becomes a
   * {@link BlockLoadError} and sticks; bucket outages are retried on the next use.
   */
  open(): Promise<OpenBlock> {
    if (this.failure) return Promise.reject(this.failure);
    this.lastUsed = Date.now();
    this.opening ??= this.ctx.loads
      .run(() => this.doOpen())
      .catch((err: unknown) => {
        this.opening = undefined;
        if (err instanceof BucketUnavailableError) throw err;
        this.failure =
          err instanceof BlockLoadError ? err : new BlockLoadError(this.id, (err as Error).message, { cause: err });
        throw this.failure;
      });
    return this.opening;
  }

  private async doOpen(): Promise<OpenBlock> {
    const started = performance.now();
    const { bucket, metrics } = this.ctx;
    metrics.blockLoads.inc();
    const files = new Map((this.meta.thanos.files ?? []).map((f) => [f.rel_path, f.size_bytes]));
    const sizeOf = async (rel: string): Promise<number> => {
      const name = `${this.id}/${rel}`;
      let actual: number;
      try {
        actual = (await bucket.attributes(name)).size;
      } catch (err) {
        if (isObjNotFoundErr(err)) throw new BlockLoadError(this.id, `${rel} is missing from the bucket`);
        throw new BucketUnavailableError(bucket.name, name, err);
      }
      const expected = files.get(rel);
      if (expected !== undefined && expected !== actual) {
        throw new BlockLoadError(
          this.id,
          `${rel} is ${actual} bytes but meta.json says ${expected} (truncated or damaged upload)`,
        );
      }
      return actual;
    };
    const segmentNames = await this.segmentNames();
    if (segmentNames.length === 0) throw new BlockLoadError(this.id, 'block has no chunk segment files');
    const fetched = (type: string) => (n: number) => metrics.bucketBytesFetched.inc({ data_type: type }, n);
    const segments = await Promise.all(
      segmentNames.map(
        async (rel) => new BucketObjectSource(bucket, `${this.id}/${rel}`, await sizeOf(rel), fetched('chunks')),
      ),
    );
    for (const seg of segments) {
      const head = await seg.read(0, Math.min(8, seg.size));
      if (head.length < 8 || new DataView(head.buffer, head.byteOffset, 4).getUint32(0) !== CHUNKS_MAGIC) {
        throw new BlockLoadError(this.id, `${seg.name} is not a chunk segment file (bad magic)`);
      }
    }
    const remoteIndex = new BucketObjectSource(
      bucket,
      `${this.id}/${INDEX_FILENAME}`,
      await sizeOf(INDEX_FILENAME),
      fetched('index'),
    );
    let index: IndexReader;
    try {
      const { header, built } = await loadIndexHeader(
        join(this.ctx.dataDir, this.id, INDEX_HEADER_FILENAME),
        remoteIndex,
      );
      if (built) metrics.indexHeadersBuilt.inc();
      index = await IndexReader.open(new IndexHeaderSource(header, remoteIndex));
    } catch (err) {
      if (err instanceof CorruptionError)
        throw new BlockLoadError(this.id, `corrupt index: ${err.message}`, { cause: err });
      throw err;
    }
    metrics.indexHeaderBuilds.inc();
    metrics.indexHeaderBuildDuration.observe((performance.now() - started) / 1000);
    return { index, segments, postings: this.cachedPostings(index) };
  }

  /** `chunks/NNNNNN` names from meta.json, or from a listing when meta.json lacks them. */
  private async segmentNames(): Promise<string[]> {
    const fromMeta = (this.meta.thanos.files ?? [])
      .map((f) => f.rel_path)
      .filter((p) => p.startsWith(`${CHUNKS_DIRNAME}/`));
    if (fromMeta.length > 0) return fromMeta.sort();
    const names: string[] = [];
    const dir = `${this.id}/${CHUNKS_DIRNAME}/`;
    try {
      for await (const name of this.ctx.bucket.iterate(dir)) {
        const rel = name.slice(this.id.length + 1);
        if (/^chunks\/\d+$/.test(rel)) names.push(rel);
      }
    } catch (err) {
      throw new BucketUnavailableError(this.ctx.bucket.name, dir, err);
    }
    return names.sort();
  }

  /** Postings lookups through the index cache (one entry per label value). */
  private cachedPostings(index: IndexReader): PostingsReader {
    const cache = this.ctx.indexCache;
    const keyOf = (name: string, value: string) => `P:${this.id}:${name}\xff${value}`;
    const perValue = async (name: string, values: readonly string[]): Promise<ArrayLike<number>[]> => {
      const out: ArrayLike<number>[] = new Array(values.length);
      const missing: number[] = [];
      values.forEach((v, i) => {
        const hit = cache.get(keyOf(name, v)) as Uint32Array | undefined;
        if (hit) out[i] = hit;
        else missing.push(i);
      });
      if (missing.length > 0) {
        const lists = await index.postingsPerValue(
          name,
          missing.map((i) => values[i]),
        );
        missing.forEach((i, j) => {
          out[i] = lists[j];
          cache.set(keyOf(name, values[i]), lists[j]);
        });
      }
      return out;
    };
    return {
      labelValues: (name) => index.labelValues(name),
      postingsPerValue: perValue,
      postings: async (name, values) => {
        const lists = await perValue(name, values);
        return lists.length === 1 ? lists[0] : mergePostings(lists);
      },
    };
  }

  private async seriesEntries(open: OpenBlock, refs: ArrayLike<number>, stats: RequestStats): Promise<SeriesEntry[]> {
    const cache = this.ctx.indexCache;
    const out: SeriesEntry[] = new Array(refs.length);
    const missing: number[] = [];
    for (let i = 0; i < refs.length; i++) {
      const hit = cache.get(`S:${this.id}:${refs[i]}`) as SeriesEntry | undefined;
      if (hit) out[i] = hit;
      else missing.push(i);
    }
    if (missing.length > 0) {
      const fetched = await open.index.seriesMany(missing.map((i) => refs[i]));
      stats.seriesFetched += fetched.length;
      missing.forEach((i, j) => {
        out[i] = fetched[j];
        cache.set(`S:${this.id}:${refs[i]}`, fetched[j]);
      });
    }
    return out;
  }

  private async chunksByRef(open: OpenBlock, refs: number[], stats: RequestStats): Promise<Map<number, StoredChunk>> {
    const cache = this.ctx.chunkCache;
    const out = new Map<number, StoredChunk>();
    const missing: number[] = [];
    for (const ref of refs) {
      const hit = cache.get(`C:${this.id}:${ref}`);
      if (hit) out.set(ref, hit);
      else missing.push(ref);
    }
    if (missing.length > 0) {
      const fetched = await fetchChunks(open.segments, missing);
      stats.chunksFetched += fetched.size;
      for (const [ref, c] of fetched) {
        out.set(ref, c);
        cache.set(`C:${this.id}:${ref}`, c);
      }
    }
    return out;
  }

  private async selectRefs(open: OpenBlock, matchers: Matcher[], stats: RequestStats): Promise<number[]> {
    const refs = await postingsForMatchers(open.postings, matchers);
    stats.postingsTouched += refs.length;
    return refs;
  }

  /** The block's series matching the request, sorted by labels (external labels not added). */
  async *series(req: BlockSelect): AsyncGenerator<Series> {
    const open = await this.open();
    const stats = req.stats;
    const refs = await this.selectRefs(open, req.matchers, stats);
    for (let from = 0; from < refs.length; from += SERIES_BATCH) {
      if (req.signal?.aborted) return;
      const entries = await this.seriesEntries(open, refs.slice(from, from + SERIES_BATCH), stats);
      const selected: SeriesEntry[] = [];
      for (const e of entries) {
        const metas = e.chunks.filter((c) => c.mint <= req.maxTime && c.maxt >= req.minTime);
        if (metas.length > 0) selected.push({ labels: e.labels, chunks: metas });
      }
      stats.addSeries(selected.length);
      if (req.skipChunks) {
        for (const s of selected) yield { labels: s.labels, chunks: [] };
        continue;
      }
      const chunkRefs = selected.flatMap((s) => s.chunks.map((c) => c.ref));
      stats.chunksTouched += chunkRefs.length;
      const chunks = await this.chunksByRef(open, chunkRefs, stats);
      for (const s of selected) {
        const out: AggrChunk[] = s.chunks.map((m) =>
          this.toAggrChunk(m.mint, m.maxt, chunks.get(m.ref)!, req.aggregates),
        );
        for (const c of out) stats.addSamples(aggrChunkSamples(c));
        yield { labels: s.labels, chunks: out };
      }
    }
  }

  private toAggrChunk(minTime: number, maxTime: number, c: StoredChunk, aggregates: readonly number[]): AggrChunk {
    if (c.encoding === CHUNK_ENC_AGGR) return aggrChunkFrom(minTime, maxTime, c.data, aggregates, this.id);
    return { minTime, maxTime, raw: { type: c.encoding - TSDB_ENCODING_OFFSET, data: c.data } };
  }

  /** Sorted label names of the series matching `matchers` (all names when there are none). */
  async labelNames(matchers: Matcher[], stats: RequestStats): Promise<string[]> {
    const open = await this.open();
    if (matchers.length === 0) return [...open.index.labelNames()];
    const names = new Set<string>();
    for (const e of await this.seriesEntries(open, await this.selectRefs(open, matchers, stats), stats)) {
      for (const l of e.labels) names.add(l.name);
    }
    return [...names];
  }

  /** Sorted values of `name` among the series matching `matchers`. */
  async labelValues(name: string, matchers: Matcher[]): Promise<string[]> {
    const open = await this.open();
    if (matchers.length === 0) return [...open.index.labelValues(name)];
    return labelValuesForMatchers(open.postings, name, matchers);
  }

  /**
   * Releases the in-memory index-header (symbols, postings offsets); the next use reads
   * it again from --data-dir. Requests still running keep what they hold.
   */
  async unload(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const open = await opening?.catch(() => undefined);
    await open?.index.close();
  }

  /** Unloads the block and drops its cache entries (it left the bucket or failed). */
  async close(): Promise<void> {
    await this.unload();
    this.ctx.indexCache.deletePrefix(`P:${this.id}:`);
    this.ctx.indexCache.deletePrefix(`S:${this.id}:`);
    this.ctx.chunkCache.deletePrefix(`C:${this.id}:`);
  }
}
