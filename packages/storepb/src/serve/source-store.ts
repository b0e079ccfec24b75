// A StoreAPI server over any number of TSDB-like sources (receive tenants, local or
// bucket blocks): external labels matched and added as Thanos does, the sources' sorted
// series merged into one sorted stream, label names and values unioned.
import { compareUtf8 } from '../labels/labels';
import { matchExternalLabels, removeLabels, withExternalLabels } from '../labels/external-labels';
import { fromLabelMatchers, type Matcher } from '../labels/matchers';
import { mergeSeriesBatches, type SeriesSource } from '../merge/merge-series';
import type { InfoServerImpl, SeriesSink, StoreServerImpl } from '../grpc/server';
import type { ComponentType, InfoResponse, Label, Series } from '../types';
import { StoreApiError } from '../grpc/errors';

/** What a source selects: series sorted by labels (without external labels). */
export interface SourceSelect {
  matchers: Matcher[];
  minTime: number;
  maxTime: number;
  skipChunks: boolean;
  signal: AbortSignal;
}

export interface StoreSource {
  readonly externalLabels: Label[];
  readonly minTime: number;
  readonly maxTime: number;
  /** Matching series sorted by labels, one at a time or in batches of consecutive series. */
  series(req: SourceSelect): SeriesSource;
  labelNames(req: Omit<SourceSelect, 'skipChunks'>): Promise<string[]> | string[];
  labelValues(name: string, req: Omit<SourceSelect, 'skipChunks'>): Promise<string[]> | string[];
}

export interface SourceStoreOptions {
  componentType: ComponentType;
  /** The sources at the moment of a call (tenants come and go). */
  sources: () => StoreSource[];
  /** Limits a request may not pass: series and samples (0: none). */
  seriesLimit?: number;
}

/**
 * A source's series with its external labels added and the request's replica labels
 * (`without_replica_labels`) removed from both, as Thanos's receive and store do; batch
 * by batch.
 */
async function* withStoreLabels(
  src: StoreSource,
  req: SourceSelect,
  withoutLabels: ReadonlySet<string>,
): AsyncIterable<Series[]> {
  const external = removeLabels(src.externalLabels, withoutLabels);
  for await (const item of src.series(req)) {
    const batch: readonly Series[] = Array.isArray(item) ? item : [item as Series];
    const out: Series[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i];
      const labels = withExternalLabels(removeLabels(s.labels, withoutLabels), external);
      out[i] = labels === s.labels ? s : { labels, chunks: s.chunks };
    }
    yield out;
  }
}

function sortedUnion(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort(compareUtf8);
}

export function createSourceStore(options: SourceStoreOptions): { store: StoreServerImpl; info: InfoServerImpl } {
  const selectSources = (matchers: Matcher[], minTime: number, maxTime: number) => {
    const out: Array<{ src: StoreSource; remaining: Matcher[] }> = [];
    for (const src of options.sources()) {
      if (src.maxTime < minTime || src.minTime > maxTime) continue;
      const m = matchExternalLabels(matchers, src.externalLabels);
      if (m.matches) out.push({ src, remaining: m.remaining });
    }
    return out;
  };

  const store: StoreServerImpl = {
    async series(req, sink: SeriesSink, ctx) {
      const matchers = fromLabelMatchers(req.matchers);
      if (matchers.length === 0) throw StoreApiError.invalidArgument('no matchers specified (excluded all series)');
      const signal = ctx.signal;
      const withoutLabels = new Set(req.withoutReplicaLabels);
      const streams = selectSources(matchers, req.minTime, req.maxTime).map(({ src, remaining }) =>
        withStoreLabels(
          src,
          { matchers: remaining, minTime: req.minTime, maxTime: req.maxTime, skipChunks: req.skipChunks, signal },
          withoutLabels,
        ),
      );
      let n = 0;
      const limit = req.limit > 0 ? req.limit : Infinity;
      for await (const batch of mergeSeriesBatches(streams)) {
        for (const series of batch) {
          if (options.seriesLimit && n >= options.seriesLimit) {
            throw StoreApiError.resourceExhausted(
              `exceeded series limit: more than ${options.seriesLimit} series requested`,
            );
          }
          // Only a saturated transport makes this wait.
          const sent = sink.send({ type: 'series', series });
          if (sent) await sent;
          if (++n >= limit) return;
        }
      }
    },
    async labelNames(req, ctx) {
      const signal = ctx.signal;
      const matchers = fromLabelMatchers(req.matchers);
      const withoutLabels = new Set(req.withoutReplicaLabels);
      const lists = await Promise.all(
        selectSources(matchers, req.start, req.end).map(async ({ src, remaining }) => [
          ...(await src.labelNames({ matchers: remaining, minTime: req.start, maxTime: req.end, signal })),
          ...removeLabels(src.externalLabels, withoutLabels).map((l) => l.name),
        ]),
      );
      let names = sortedUnion(lists);
      if (req.limit > 0) names = names.slice(0, req.limit);
      return { names, warnings: [] };
    },
    async labelValues(req, ctx) {
      if (req.withoutReplicaLabels.includes(req.label)) return { values: [], warnings: [] };
      const signal = ctx.signal;
      const matchers = fromLabelMatchers(req.matchers);
      const lists = await Promise.all(
        selectSources(matchers, req.start, req.end).map(async ({ src, remaining }) => {
          const ext = src.externalLabels.find((l) => l.name === req.label);
          if (ext) return [ext.value];
          return src.labelValues(req.label, { matchers: remaining, minTime: req.start, maxTime: req.end, signal });
        }),
      );
      let values = sortedUnion(lists);
      if (req.limit > 0) values = values.slice(0, req.limit);
      return { values, warnings: [] };
    },
  };

  const info: InfoServerImpl = {
    info(): InfoResponse {
      const sources = options.sources();
      const minTime = sources.length ? Math.min(...sources.map((s) => s.minTime)) : Number.MAX_SAFE_INTEGER;
      const maxTime = sources.length ? Math.max(...sources.map((s) => s.maxTime)) : Number.MIN_SAFE_INTEGER;
      const labelSets = sources.map((s) => ({ labels: s.externalLabels }));
      return {
        componentType: options.componentType,
        labelSets,
        store: {
          minTime,
          maxTime,
          supportsSharding: false,
          supportsWithoutReplicaLabels: true,
          supportsProjections: false,
          tsdbInfos: sources.map((s) => ({
            labels: { labels: s.externalLabels },
            minTime: s.minTime,
            maxTime: s.maxTime,
          })),
        },
      };
    },
  };
  return { store, info };
}
