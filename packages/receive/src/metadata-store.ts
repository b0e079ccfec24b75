// Metric metadata (type, help, unit per metric family) that Prometheus sends with
// remote_write, kept in memory and served over `thanos.Metadata` so the querier's
// /api/v1/metadata answers for remote-written data. Thanos receive drops it; Grafana
// uses it for metric-type hints. Bounded: the newest descriptions win.
import type { MetricMetadataEntry } from '@thanos-ts/remote-write';
import type { MetadataServerImpl, MetricMeta, MetricMetadataMap, MetricMetadataRequest } from '@thanos-ts/storepb';

export const DEFAULT_MAX_METADATA_FAMILIES = 50_000;
/** Distinct descriptions kept per family (targets of one job can disagree on help texts). */
const MAX_METAS_PER_FAMILY = 8;

export class MetricMetadataStore implements MetadataServerImpl {
  /** Insertion order is recency order: a family is moved to the end when it is seen again. */
  private readonly families = new Map<string, MetricMeta[]>();

  constructor(private readonly maxFamilies = DEFAULT_MAX_METADATA_FAMILIES) {}

  get size(): number {
    return this.families.size;
  }

  record(entries: readonly MetricMetadataEntry[]): void {
    for (const e of entries) {
      if (e.metricFamilyName === '') continue;
      const metas = this.families.get(e.metricFamilyName) ?? [];
      this.families.delete(e.metricFamilyName);
      const known = metas.findIndex((m) => m.type === e.type && m.help === e.help && m.unit === e.unit);
      if (known >= 0) metas.splice(known, 1);
      metas.push({ type: e.type, help: e.help, unit: e.unit });
      if (metas.length > MAX_METAS_PER_FAMILY) metas.shift();
      this.families.set(e.metricFamilyName, metas);
      if (this.families.size > this.maxFamilies) this.families.delete(this.families.keys().next().value!);
    }
  }

  metricMetadata(req: MetricMetadataRequest): MetricMetadataMap {
    const out: MetricMetadataMap = {};
    if (req.metric !== '') {
      const metas = this.families.get(req.metric);
      if (metas) out[req.metric] = [...metas];
      return out;
    }
    let n = 0;
    for (const [name, metas] of this.families) {
      if (req.limit > 0 && n++ >= req.limit) break;
      out[name] = [...metas];
    }
    return out;
  }
}
