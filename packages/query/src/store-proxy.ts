// The querier's own StoreAPI: Series, LabelNames and LabelValues fanned out to its
// endpoints and merged, so that a querier can be a store of another querier.
import {
  compareUtf8,
  fromLabelMatchers,
  mergeSeriesSets,
  PartialResponseStrategy,
  StoreApiError,
  stripReplicaLabels,
  type InfoServerImpl,
  type Label,
  type Matcher,
  type Series,
  type SeriesRequest,
  type SeriesSink,
  type StoreServerImpl,
} from '@thanos-ts/storepb';
import { storeFailure, storesFor, type Endpoint } from './endpoints';

export interface StoreProxyOptions {
  endpoints: () => Endpoint[];
  /** Deadline of each downstream call (0: none). */
  storeTimeoutMs?: number;
}

export function createStoreProxy(opts: StoreProxyOptions): { store: StoreServerImpl; info: InfoServerImpl } {
  const timeoutMs = opts.storeTimeoutMs || undefined;

  /** Runs `call` on every eligible store; failures become warnings or abort, as the request asks. */
  const fanOut = async <T>(
    strategy: PartialResponseStrategy,
    matchers: Matcher[],
    mint: number,
    maxt: number,
    call: (e: Endpoint) => Promise<T>,
  ): Promise<{ results: T[]; warnings: string[] }> => {
    const warnings: string[] = [];
    const results = await Promise.all(
      storesFor(opts.endpoints(), matchers, mint, maxt).map(async (e) => {
        try {
          return [await call(e)];
        } catch (err) {
          if (strategy === PartialResponseStrategy.ABORT) throw StoreApiError.unavailable(storeFailure(e.name, err));
          warnings.push(storeFailure(e.name, err));
          return [];
        }
      }),
    );
    return { results: results.flat(), warnings };
  };

  /**
   * One store's series, sorted without the request's replica labels: streamed from stores
   * that remove them, buffered and re-sorted for those that cannot.
   */
  async function* storeSeries(
    e: Endpoint,
    req: SeriesRequest,
    signal: AbortSignal,
    sink: SeriesSink,
  ): AsyncGenerator<Series> {
    const buffer = req.withoutReplicaLabels.length > 0 && e.info?.store?.supportsWithoutReplicaLabels !== true;
    const buffered: Series[] = [];
    try {
      for await (const r of e.client.series(req, { signal, timeoutMs })) {
        if (r.type === 'series') {
          if (buffer) buffered.push(r.series);
          else yield r.series;
        } else if (r.type === 'warning') await sink.send(r);
      }
      if (buffer) yield* stripReplicaLabels(buffered, req.withoutReplicaLabels);
    } catch (err) {
      if (signal.aborted || req.partialResponseStrategy === PartialResponseStrategy.ABORT) {
        throw StoreApiError.unavailable(storeFailure(e.name, err));
      }
      await sink.send({ type: 'warning', warning: storeFailure(e.name, err) });
    }
  }

  const store: StoreServerImpl = {
    async series(req, sink, ctx) {
      const matchers = fromLabelMatchers(req.matchers);
      const streams = storesFor(opts.endpoints(), matchers, req.minTime, req.maxTime).map((e) =>
        storeSeries(e, req, ctx.signal, sink),
      );
      for await (const series of mergeSeriesSets(streams)) await sink.send({ type: 'series', series });
    },
    async labelNames(req, ctx) {
      const matchers = fromLabelMatchers(req.matchers);
      const { results, warnings } = await fanOut(req.partialResponseStrategy, matchers, req.start, req.end, (e) =>
        e.client.labelNames(req, { signal: ctx.signal, timeoutMs }),
      );
      const names = [...new Set(results.flatMap((r) => r.names))].sort(compareUtf8);
      return { names, warnings: [...warnings, ...results.flatMap((r) => r.warnings)] };
    },
    async labelValues(req, ctx) {
      const matchers = fromLabelMatchers(req.matchers);
      const { results, warnings } = await fanOut(req.partialResponseStrategy, matchers, req.start, req.end, (e) =>
        e.client.labelValues(req, { signal: ctx.signal, timeoutMs }),
      );
      const values = [...new Set(results.flatMap((r) => r.values))].sort(compareUtf8);
      return { values, warnings: [...warnings, ...results.flatMap((r) => r.warnings)] };
    },
  };

  const info: InfoServerImpl = {
    info() {
      const known = opts.endpoints().filter((e) => e.info?.store);
      const labelSets = new Map<string, Label[]>();
      for (const e of known) for (const ls of e.labelSets) labelSets.set(JSON.stringify(ls), ls);
      return {
        componentType: 'query',
        labelSets: [...labelSets.values()].map((labels) => ({ labels })),
        store: {
          minTime: known.length ? Math.min(...known.map((e) => e.minTime)) : Number.MAX_SAFE_INTEGER,
          maxTime: known.length ? Math.max(...known.map((e) => e.maxTime)) : Number.MIN_SAFE_INTEGER,
          supportsSharding: false,
          supportsWithoutReplicaLabels: true,
          supportsProjections: false,
          tsdbInfos: [],
        },
      };
    },
  };
  return { store, info };
}
