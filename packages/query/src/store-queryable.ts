// A PromQL Queryable over StoreAPI endpoints: every select fans out to the stores whose
// time range and external labels can match, merges their sorted series, decodes chunks
// into typed arrays and deduplicates HA replicas (spec/thanos.md §4).
import {
  QueryCanceledError,
  QueryTimeoutError,
  type LabelMatcher as PromMatcher,
  type Labels,
  type Querier,
  type Queryable,
  type SelectHints,
  type StorageSeries,
} from '@thanos-ts/promql';
import {
  compareLabels,
  compareUtf8,
  isCounterFunction,
  mergeSeriesBatches,
  PartialResponseStrategy,
  matcherToString,
  removeLabels,
  splitOverlappingChunks,
  stripReplicaLabels,
  toLabelMatchers,
  type AggrChunk,
  type Label,
  type Matcher,
  type Series,
  type SeriesRequestInit,
} from '@thanos-ts/storepb';
import {
  aggregateForFunc,
  decodeChunks,
  needsTwoSamples,
  requestAggregates,
  type Aggregate,
  type DecodedSamples,
} from './chunk-decode';
import { ChunkedSeries, type ChunkDecoder } from './chunked-series';
import { storeFailure, storesFor, type Endpoint } from './endpoints';
import type { QueryMetrics } from './metrics';
import { SampleArena } from './sample-arena';
import { mergeReplicas, type DedupFunc, type ReplicaSamples, type ServedRange } from './replica-merge';

export interface StoreQueryOptions {
  replicaLabels: string[];
  /** Dedup is active only when this is set and replica labels are given. */
  dedup: boolean;
  dedupFunc: DedupFunc;
  /** Store failures become warnings (true) or fail the request (false). */
  partialResponse: boolean;
  /** Aborts all store calls; its reason tells a timeout (TimeoutError) from a cancellation. */
  signal?: AbortSignal;
  /** Deadline of each store call (0: none). */
  storeTimeoutMs?: number;
  /** Record which replica served which time range of each deduplicated series. */
  explain?: boolean;
  metrics?: QueryMetrics;
  /** Coarsest downsampling resolution the stores may answer with (ms; 0: raw data only). */
  maxResolutionMs?: number;
}

/** A store failed while partial responses were disabled. */
export class StoreFailedError extends Error {
  override readonly name = 'StoreFailedError';

  constructor(
    readonly store: string,
    message: string,
  ) {
    super(message);
  }
}

/** One entry of the `explain=dedup` note. */
export interface DedupExplanation {
  selector: string;
  labels: Label[];
  ranges: ServedRange[];
}

/** Where time went, summed over all selects of a request (for benchmarks and logs). */
export interface FetchTiming {
  fanOutMs: number;
  decodeMs: number;
  series: number;
  samples: number;
}

/**
 * Series per StoreAPI frame the querier asks for (`response_batch_size`): fewer, larger
 * gRPC messages. Stores that predate the field ignore it and send one series per frame.
 */
const SERIES_BATCH_SIZE = 64;

function formatLabels(ls: readonly Label[]): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

export class StoreQueryable implements Queryable {
  readonly warnings: string[] = [];
  readonly explanations: DedupExplanation[] = [];
  readonly timing: FetchTiming = { fanOutMs: 0, decodeMs: 0, series: 0, samples: 0 };
  /** Holds the samples of every series this request selects (they live as long as the request). */
  private readonly arena = new SampleArena();
  /** Holds one series' samples at a time (see {@link ChunkedSeries}). */
  private readonly scratch = new SampleArena();
  private readonly replicaLabelSet: ReadonlySet<string>;

  constructor(
    private readonly endpoints: () => Endpoint[],
    private readonly opts: StoreQueryOptions,
  ) {
    this.replicaLabelSet = new Set(opts.dedup ? opts.replicaLabels : []);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    return {
      select: (_sort, hints, matchers) => this.select(hints, matchers),
      labelNames: (matchers) => this.labelNames(mint, maxt, [matchers ?? []]),
      labelValues: (name, matchers) => this.labelValues(name, mint, maxt, [matchers ?? []]),
      close: async () => {},
    };
  }

  /** Lets later requests reuse this one's sample memory: every selected series is invalid afterwards. */
  release(): void {
    this.arena.release();
    this.scratch.release();
  }

  /**
   * Decoding for {@link ChunkedSeries} of one select, timed as decoding: transient decodes
   * share one block of the request's scratch arena.
   */
  private chunkDecoder(mint: number, maxt: number, aggregate: Aggregate): ChunkDecoder {
    const decode = (chunks: readonly AggrChunk[], arena: SampleArena): DecodedSamples => {
      const t0 = performance.now();
      const samples = decodeChunks(chunks, mint, maxt, aggregate, arena);
      this.timing.samples += samples.timestamps.length;
      this.timing.decodeMs += performance.now() - t0;
      return samples;
    };
    return {
      persistent: (chunks) => decode(chunks, this.arena),
      transient: (chunks) => {
        this.scratch.rewind();
        return decode(chunks, this.scratch);
      },
    };
  }

  /** Series matching `matchers` with samples in [hints.start, hints.end], replicas merged. */
  async select(hints: SelectHints, promMatchers: readonly PromMatcher[]): Promise<StorageSeries[]> {
    const matchers = promMatchers.map(toMatcher);
    const aggregate = aggregateForFunc(hints.func);
    const req: SeriesRequestInit = {
      minTime: hints.start,
      maxTime: hints.end,
      matchers: toLabelMatchers(matchers),
      maxResolutionWindow: this.maxResolutionFor(hints),
      aggregates: requestAggregates(aggregate),
      partialResponseStrategy: this.strategy(),
      queryHints: {
        stepMillis: hints.step,
        func: hints.func ? { name: hints.func } : undefined,
        grouping: hints.grouping.length ? { by: hints.by, labels: hints.grouping } : undefined,
        range: hints.range ? { millis: hints.range } : undefined,
        projectionLabels: [],
        projectionInclude: false,
        seriesHashLabelName: '',
      },
    };
    const chunkReplica = new WeakMap<AggrChunk, string>();
    const started = performance.now();
    let decodeMs = 0;
    const out: StorageSeries[] = [];
    // Counter adjustment belongs to replica dedup; without it overlapping chunks merge plainly.
    const counter = this.replicaLabelSet.size > 0 && isCounterFunction(hints.func);
    const selector = `{${matchers.map(matcherToString).join(', ')}}`;
    const mergeOpts = { func: this.opts.dedupFunc, counter, explain: !!this.opts.explain, arena: this.arena };
    const streams = this.seriesStreams(req, matchers, this.opts.explain ? chunkReplica : undefined);
    // A range function reads its series one at a time: their chunks are decoded when it does.
    const decoder = hints.range > 0 ? this.chunkDecoder(hints.start, hints.end, aggregate) : undefined;
    for await (const batch of mergeSeriesBatches(streams)) {
      const t0 = performance.now();
      for (const series of batch) {
        const chunks = series.chunks;
        // One replica's chunks (or replicas that never overlap) need no merge.
        if (inTimeOrder(chunks)) {
          if (decoder) {
            if (chunks.length > 0) out.push(new ChunkedSeries(series.labels as Labels, chunks, decoder));
            continue;
          }
          const only = decodeChunks(chunks, hints.start, hints.end, aggregate, this.arena);
          if (only.timestamps.length === 0) continue;
          this.timing.samples += only.timestamps.length;
          out.push({ labels: series.labels as Labels, timestamps: only.timestamps, values: only.values });
          continue;
        }
        const replicas: ReplicaSamples[] = splitOverlappingChunks(chunks).map((list) => ({
          replica: this.opts.explain ? replicaNameOf(list, chunkReplica) : '',
          ...decodeChunks(list, hints.start, hints.end, aggregate, this.arena),
        }));
        const merged = mergeReplicas(replicas, mergeOpts);
        if (merged.timestamps.length === 0) continue;
        if (merged.ranges && replicas.length > 1) {
          this.explanations.push({ selector, labels: series.labels, ranges: merged.ranges });
        }
        this.timing.samples += merged.timestamps.length;
        out.push({ labels: series.labels as Labels, timestamps: merged.timestamps, values: merged.values });
      }
      decodeMs += performance.now() - t0;
    }
    this.timing.series += out.length;
    this.timing.decodeMs += decodeMs;
    this.timing.fanOutMs += performance.now() - started - decodeMs;
    return out;
  }

  /** Label sets of the series matching any of the matcher sets (the /api/v1/series answer). */
  async seriesLabels(mint: number, maxt: number, matcherSets: Matcher[][]): Promise<Label[][]> {
    const found = new Map<string, Label[]>();
    const started = performance.now();
    for (const matchers of matcherSets) {
      const req: SeriesRequestInit = {
        minTime: mint,
        maxTime: maxt,
        matchers: toLabelMatchers(matchers),
        skipChunks: true,
        partialResponseStrategy: this.strategy(),
      };
      for await (const batch of mergeSeriesBatches(this.seriesStreams(req, matchers)))
        for (const s of batch) found.set(formatLabels(s.labels), s.labels);
    }
    this.timing.fanOutMs += performance.now() - started;
    return [...found.values()].sort(compareLabels);
  }

  async labelNames(start: number, end: number, matcherSets: Matcher[][]): Promise<string[]> {
    const lists = await Promise.all(
      matcherSets.map((matchers) =>
        this.fanOut('LabelNames', matchers, start, end, async (e, signal, timeoutMs) => {
          const r = await e.client.labelNames(
            { start, end, matchers: toLabelMatchers(matchers), partialResponseStrategy: this.strategy() },
            { signal, timeoutMs },
          );
          for (const w of r.warnings) this.warnings.push(`${e.name}: ${w}`);
          return r.names;
        }),
      ),
    );
    const names = new Set(lists.flat(2));
    for (const r of this.replicaLabelSet) names.delete(r);
    return [...names].sort(compareUtf8);
  }

  async labelValues(name: string, start: number, end: number, matcherSets: Matcher[][]): Promise<string[]> {
    if (this.replicaLabelSet.has(name)) return [];
    const lists = await Promise.all(
      matcherSets.map((matchers) =>
        this.fanOut('LabelValues', matchers, start, end, async (e, signal, timeoutMs) => {
          const r = await e.client.labelValues(
            { label: name, start, end, matchers: toLabelMatchers(matchers), partialResponseStrategy: this.strategy() },
            { signal, timeoutMs },
          );
          for (const w of r.warnings) this.warnings.push(`${e.name}: ${w}`);
          return r.values;
        }),
      ),
    );
    return [...new Set(lists.flat(2))].sort(compareUtf8);
  }

  /** A range function needing two samples must not get windows wider than half its range. */
  private maxResolutionFor(hints: SelectHints): number {
    const max = this.opts.maxResolutionMs ?? 0;
    return hints.range && needsTwoSamples(hints.func) ? Math.min(max, Math.floor(hints.range / 2)) : max;
  }

  private strategy() {
    return this.opts.partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT;
  }

  /**
   * One sorted Series stream per eligible store, replica labels removed, for a k-way merge
   * that starts as soon as the first frames arrive. Stores that say they remove replica
   * labels themselves (`supports_without_replica_labels`) are streamed as they come;
   * the others are buffered and re-sorted after removal, as the Thanos proxy does.
   * A store failure ends its stream with a warning naming it, or throws when partial
   * responses are off; `chunkReplica` learns each chunk's replica for explanations.
   */
  private seriesStreams(
    init: SeriesRequestInit,
    matchers: Matcher[],
    chunkReplica?: WeakMap<AggrChunk, string>,
  ): AsyncIterable<Series[]>[] {
    const stores = storesFor(this.endpoints(), matchers, init.minTime, init.maxTime);
    const pending = new Set(stores.map((s) => s.name));
    // Replica names are needed per chunk to explain dedup: then every store keeps its labels.
    const pushDown = this.replicaLabelSet.size > 0 && !chunkReplica;
    const req: SeriesRequestInit = {
      ...init,
      responseBatchSize: SERIES_BATCH_SIZE,
      withoutReplicaLabels: pushDown ? [...this.replicaLabelSet] : [],
    };
    return stores.map((e) => this.storeStream(e, req, pending, pushDown, chunkReplica));
  }

  private async *storeStream(
    e: Endpoint,
    req: SeriesRequestInit,
    pending: Set<string>,
    pushDown: boolean,
    chunkReplica: WeakMap<AggrChunk, string> | undefined,
  ): AsyncGenerator<Series[]> {
    const signal = this.opts.signal;
    const started = performance.now();
    // Removing replica labels here can reorder a store's series unless the store did it.
    const resort = this.replicaLabelSet.size > 0 && !(pushDown && e.info?.store?.supportsWithoutReplicaLabels);
    try {
      const buffered: Series[] = [];
      for await (const r of e.client.seriesFrames(req, { signal, timeoutMs: this.opts.storeTimeoutMs || undefined })) {
        if (r.type === 'warning') this.warnings.push(`${e.name}: ${r.warning}`);
        const batch = r.type === 'batch' ? r.batch : r.type === 'series' ? [r.series] : undefined;
        if (batch === undefined) continue;
        if (chunkReplica) for (const s of batch) this.rememberReplica(e.name, s, chunkReplica);
        if (resort) buffered.push(...batch);
        else yield this.withoutReplicaLabels(batch);
      }
      if (resort) yield stripReplicaLabels(buffered, this.replicaLabelSet);
      this.opts.metrics?.storeDuration.observe(
        { store: e.name, method: 'Series' },
        (performance.now() - started) / 1000,
      );
    } catch (err) {
      if (signal?.aborted) throw abortError(signal, 'fetching Series from stores', pending);
      this.opts.metrics?.storeFailures.inc({ store: e.name, method: 'Series' });
      const msg = storeFailure(e.name, err);
      if (!this.opts.partialResponse) throw new StoreFailedError(e.name, msg);
      this.warnings.push(msg);
    } finally {
      pending.delete(e.name);
    }
  }

  /** Removes replica labels a store left in (Thanos stores strip them from external labels only). */
  private withoutReplicaLabels(batch: Series[]): Series[] {
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i];
      const labels = removeLabels(s.labels, this.replicaLabelSet);
      if (labels !== s.labels) batch[i] = { labels, chunks: s.chunks };
    }
    return batch;
  }

  private rememberReplica(store: string, s: Series, chunkReplica: WeakMap<AggrChunk, string>): void {
    const replica = s.labels.filter((l) => this.replicaLabelSet.has(l.name));
    const name = replica.length ? `${formatLabels(replica)} @ ${store}` : store;
    for (const c of s.chunks) chunkReplica.set(c, name);
  }

  /**
   * Calls every store that can hold matching data, in parallel. A failing store becomes a
   * warning naming it (partial response) or fails the whole call.
   */
  private async fanOut<T>(
    method: string,
    matchers: Matcher[],
    mint: number,
    maxt: number,
    call: (e: Endpoint, signal: AbortSignal | undefined, timeoutMs: number | undefined) => Promise<T>,
  ): Promise<T[]> {
    const stores = storesFor(this.endpoints(), matchers, mint, maxt);
    const signal = this.opts.signal;
    const timeoutMs = this.opts.storeTimeoutMs || undefined;
    const pending = new Set(stores.map((s) => s.name));
    const results = await Promise.all(
      stores.map(async (e): Promise<T | undefined> => {
        const started = performance.now();
        try {
          const r = await call(e, signal, timeoutMs);
          this.opts.metrics?.storeDuration.observe({ store: e.name, method }, (performance.now() - started) / 1000);
          return r;
        } catch (err) {
          if (signal?.aborted) throw abortError(signal, `fetching ${method} from stores`, pending);
          this.opts.metrics?.storeFailures.inc({ store: e.name, method });
          const msg = storeFailure(e.name, err);
          if (!this.opts.partialResponse) throw new StoreFailedError(e.name, msg);
          this.warnings.push(msg);
          return undefined;
        } finally {
          pending.delete(e.name);
        }
      }),
    );
    return results.filter((r): r is Awaited<T> => r !== undefined);
  }
}

function abortError(signal: AbortSignal, where: string, pending: ReadonlySet<string>): Error {
  const waiting = pending.size ? ` (still waiting for ${[...pending].join(', ')})` : '';
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError'
    ? new QueryTimeoutError(`${where}${waiting}`)
    : new QueryCanceledError(`${where}${waiting}`);
}

function toMatcher(m: PromMatcher): Matcher {
  return { type: m.type, name: m.name, value: m.value };
}

/** Whether every chunk ends before the next begins: `splitOverlappingChunks` would keep them as one list. */
function inTimeOrder(chunks: readonly AggrChunk[]): boolean {
  for (let i = 1; i < chunks.length; i++) if (chunks[i - 1].maxTime >= chunks[i].minTime) return false;
  return true;
}

function replicaNameOf(chunks: AggrChunk[], names: WeakMap<AggrChunk, string>): string {
  return [...new Set(chunks.map((c) => names.get(c) ?? '?'))].join(' + ');
}
