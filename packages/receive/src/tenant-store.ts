import { StoreApiError, type Label, type Series, type SourceSelect, type StoreSource } from '@thanos-ts/storepb';
import { newMatcher, RegexSyntaxError, type Matcher, type Tsdb } from '@thanos-ts/tsdb';

/** XOR in `thanos.Chunk.Encoding`. */
const CHUNK_XOR = 0;

/** Converts StoreAPI matchers to TSDB ones; an empty list selects every series. */
export function toTsdbMatchers(matchers: SourceSelect['matchers']): Matcher[] {
  if (matchers.length === 0) return [newMatcher('=~', '__name__', '.*')];
  try {
    return matchers.map((m) => newMatcher(m.type, m.name, m.value));
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw StoreApiError.invalidArgument(err.message);
    throw err;
  }
}

/** One tenant's TSDB as a StoreAPI source: its head (and, later, its local blocks). */
export class TenantStoreSource implements StoreSource {
  constructor(
    readonly db: Tsdb,
    readonly externalLabels: Label[],
  ) {}

  get minTime(): number {
    const t = this.db.head.minTime;
    return Number.isFinite(t) ? t : Number.MIN_SAFE_INTEGER;
  }

  /** A receiver keeps accepting new samples: its range is open-ended, as in Thanos. */
  get maxTime(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  async *series(req: SourceSelect): AsyncIterable<Series> {
    const selected = await this.db.head.select(toTsdbMatchers(req.matchers), req.minTime, req.maxTime);
    for (const s of selected) {
      if (req.signal.aborted) return;
      const chunks = req.skipChunks
        ? []
        : s.chunks(req.minTime, req.maxTime).map((c) => ({
            minTime: c.minTime,
            maxTime: c.maxTime,
            raw: { type: CHUNK_XOR, data: c.chunk.data },
          }));
      yield { labels: s.labels as Label[], chunks };
    }
  }

  async labelNames(req: Omit<SourceSelect, 'skipChunks'>): Promise<string[]> {
    if (req.matchers.length === 0) return this.db.head.labelNames();
    const names = new Set<string>();
    for (const s of await this.db.head.select(toTsdbMatchers(req.matchers), req.minTime, req.maxTime)) {
      for (const l of s.labels) names.add(l.name);
    }
    return [...names];
  }

  async labelValues(name: string, req: Omit<SourceSelect, 'skipChunks'>): Promise<string[]> {
    if (req.matchers.length === 0) return this.db.head.labelValues(name);
    const values = new Set<string>();
    for (const s of await this.db.head.select(toTsdbMatchers(req.matchers), req.minTime, req.maxTime)) {
      const v = s.labels.find((l) => l.name === name)?.value;
      if (v !== undefined) values.add(v);
    }
    return [...values];
  }
}
