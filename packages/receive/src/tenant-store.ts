import {
  StoreApiError,
  type AggrChunk,
  type Label,
  type Series,
  type SourceSelect,
  type StoreSource,
} from '@thanos-ts/storepb';
import {
  disjointChunks,
  newMatcher,
  RegexSyntaxError,
  type Matcher,
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

function aggrChunk(c: TimedChunk): AggrChunk {
  return { minTime: c.minTime, maxTime: c.maxTime, raw: { type: CHUNK_XOR, data: c.chunk.data } };
}

/** One tenant's TSDB (local blocks and head) as a StoreAPI source. */
export class TenantStoreSource implements StoreSource {
  constructor(
    readonly db: Tsdb,
    readonly externalLabels: Label[],
  ) {}

  /** The oldest sample time held: the first block's, else the head's, or older out-of-order samples of the head. */
  get minTime(): number {
    const blocks = this.db.blocks();
    const ooo = this.db.head.oooRange();
    const t = Math.min(blocks.length > 0 ? blocks[0].minTime : this.db.head.minTime, ooo?.minTime ?? Infinity);
    return Number.isFinite(t) ? t : Number.MIN_SAFE_INTEGER;
  }

  /** A receiver keeps accepting new samples: its range is open-ended, as in Thanos. */
  get maxTime(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  /** Matching series in label order, in the batches the TSDB selects them. */
  async *series(req: SourceSelect): AsyncIterable<Series[]> {
    const querier = await this.db.querier();
    for await (const batch of querier.selectBatches(toTsdbMatchers(req.matchers), req.minTime, req.maxTime)) {
      if (req.signal.aborted) return;
      const out: Series[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const s = batch[i];
        out[i] = {
          labels: s.labels as Label[],
          chunks: req.skipChunks ? [] : disjointChunks(s, req.minTime, req.maxTime).map(aggrChunk),
        };
      }
      yield out;
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
