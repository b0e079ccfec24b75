import { StoreApiError, type Label, type Series, type SourceSelect, type StoreSource } from '@thanos-ts/storepb';
import {
  newMatcher,
  reencodeChunk,
  RegexSyntaxError,
  type Matcher,
  type Series as TsdbSeries,
  type TimedChunk,
  type Tsdb,
} from '@thanos-ts/tsdb';

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

/**
 * The chunks of a merged series (blocks first, then the head) as one non-overlapping
 * sequence: a chunk that starts before the previous one ends (a head chunk spanning a
 * compacted boundary) or has deleted samples is re-encoded without them.
 */
export function disjointChunks(series: TsdbSeries, mint: number, maxt: number): TimedChunk[] {
  const out: TimedChunk[] = [];
  let lastMaxT = Number.MIN_SAFE_INTEGER;
  for (const part of series.parts) {
    for (const c of part.chunks) {
      if (c.maxTime < mint || c.minTime > maxt || c.maxTime <= lastMaxT) continue;
      let chunk: TimedChunk | undefined = c;
      if (c.minTime <= lastMaxT || part.deleted.length > 0)
        chunk = reencodeChunk(c.chunk, lastMaxT + 1, c.maxTime, part.deleted);
      if (!chunk) continue;
      out.push(chunk);
      lastMaxT = chunk.maxTime;
    }
  }
  return out;
}

/** One tenant's TSDB (local blocks and head) as a StoreAPI source. */
export class TenantStoreSource implements StoreSource {
  constructor(
    readonly db: Tsdb,
    readonly externalLabels: Label[],
  ) {}

  get minTime(): number {
    const blocks = this.db.blocks();
    if (blocks.length > 0) return blocks[0].minTime;
    const t = this.db.head.minTime;
    return Number.isFinite(t) ? t : Number.MIN_SAFE_INTEGER;
  }

  /** A receiver keeps accepting new samples: its range is open-ended, as in Thanos. */
  get maxTime(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  async *series(req: SourceSelect): AsyncIterable<Series> {
    const querier = await this.db.querier();
    for await (const s of querier.select(toTsdbMatchers(req.matchers), req.minTime, req.maxTime)) {
      if (req.signal.aborted) return;
      const chunks = req.skipChunks
        ? []
        : disjointChunks(s, req.minTime, req.maxTime).map((c) => ({
            minTime: c.minTime,
            maxTime: c.maxTime,
            raw: { type: CHUNK_XOR, data: c.chunk.data },
          }));
      yield { labels: s.labels as Label[], chunks };
    }
  }

  /** Label names of the series matching `req` (head fast path when no blocks and no matchers). */
  async labelNames(req: Omit<SourceSelect, 'skipChunks'>): Promise<string[]> {
    if (req.matchers.length === 0 && this.db.blocks().length === 0) return this.db.head.labelNames();
    const names = new Set<string>();
    for await (const s of (await this.db.querier()).select(toTsdbMatchers(req.matchers), req.minTime, req.maxTime)) {
      for (const l of s.labels) names.add(l.name);
    }
    return [...names];
  }

  async labelValues(name: string, req: Omit<SourceSelect, 'skipChunks'>): Promise<string[]> {
    if (req.matchers.length === 0 && this.db.blocks().length === 0) return this.db.head.labelValues(name);
    const values = new Set<string>();
    for await (const s of (await this.db.querier()).select(toTsdbMatchers(req.matchers), req.minTime, req.maxTime)) {
      const v = s.labels.find((l) => l.name === name)?.value;
      if (v !== undefined) values.add(v);
    }
    return [...values];
  }
}
