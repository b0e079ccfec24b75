// /api/v1/metadata over the stores that serve `thanos.Metadata` (our receivers, Thanos
// sidecars): descriptions merged per metric family without repeats, as Prometheus answers.
import type { MetricMeta, MetricMetadataMap } from '@thanos-ts/storepb';
import { storeFailure, type Endpoint } from './endpoints';
import { StoreFailedError } from './store-queryable';

export interface MetadataQuery {
  /** One family only, or '' for all. */
  metric: string;
  /** Families returned at most (≤ 0: all). */
  limit: number;
  partialResponse: boolean;
  signal: AbortSignal;
  storeTimeoutMs: number;
}

export async function fetchMetricMetadata(
  endpoints: readonly Endpoint[],
  q: MetadataQuery,
): Promise<{ metadata: MetricMetadataMap; warnings: string[] }> {
  const sources = endpoints.filter((e) => e.info?.metricMetadata);
  const answers = await Promise.allSettled(
    sources.map((e) =>
      e.client.metricMetadata(
        { metric: q.metric, limit: q.limit, partialResponseStrategy: q.partialResponse ? 0 : 1 },
        { signal: q.signal, timeoutMs: q.storeTimeoutMs > 0 ? q.storeTimeoutMs : undefined },
      ),
    ),
  );
  const merged = new Map<string, MetricMeta[]>();
  const warnings: string[] = [];
  answers.forEach((a, i) => {
    if (a.status === 'rejected') {
      const message = storeFailure(sources[i].name, a.reason);
      if (!q.partialResponse) throw new StoreFailedError(sources[i].name, message);
      warnings.push(message);
      return;
    }
    warnings.push(...a.value.warnings);
    for (const [name, metas] of Object.entries(a.value.metadata)) {
      const known = merged.get(name) ?? [];
      for (const m of metas) {
        if (!known.some((k) => k.type === m.type && k.help === m.help && k.unit === m.unit)) known.push(m);
      }
      merged.set(name, known);
    }
  });
  const names = [...merged.keys()].sort();
  const kept = q.limit > 0 ? names.slice(0, q.limit) : names;
  return { metadata: Object.fromEntries(kept.map((n) => [n, merged.get(n)!])), warnings };
}
