// In-process StoreAPI servers holding fixed series, for querier tests and benchmarks.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createSourceStore,
  createStoreServer,
  ChunkEncoding,
  StoreApiError,
  compareLabels,
  sortLabels,
  type AggrChunk,
  type Label,
  type Series,
  type SeriesRequest,
  type SeriesSink,
  type StoreSource,
} from '@thanos-ts/storepb';
import { XorChunkEncoder } from '@thanos-ts/tsdb';

export interface FakeSeries {
  labels: Record<string, string>;
  timestamps: ArrayLike<number>;
  values: Float64Array;
  /** Chunks served as they are (e.g. downsampled ones) instead of chunks cut from the samples. */
  chunks?: AggrChunk[];
}

export interface FakeStoreOptions {
  externalLabels?: Record<string, string>;
  series: FakeSeries[];
  /** Delay before the first series is sent (abortable), to simulate a slow store. */
  delayMs?: number;
  samplesPerChunk?: number;
  /** Behave like a store that predates `without_replica_labels`: ignore it and say so in Info. */
  noReplicaLabelRemoval?: boolean;
  /** Fail the Series stream (UNAVAILABLE) after sending this many series. */
  failAfterSeries?: number;
}

export interface FakeStore {
  address: string;
  /** Every Series request the store received, in order. */
  requests: SeriesRequest[];
  stop(): Promise<void>;
}

function toLabels(rec: Record<string, string>): Label[] {
  return sortLabels(Object.entries(rec).map(([name, value]) => ({ name, value })));
}

/** Cuts samples into raw XOR chunks of at most `perChunk` samples. */
export function encodeXorChunks(timestamps: ArrayLike<number>, values: Float64Array, perChunk = 120): AggrChunk[] {
  const chunks: AggrChunk[] = [];
  for (let start = 0; start < timestamps.length; start += perChunk) {
    const end = Math.min(start + perChunk, timestamps.length);
    const enc = new XorChunkEncoder();
    for (let i = start; i < end; i++) enc.append(timestamps[i], values[i]);
    chunks.push({
      minTime: timestamps[start],
      maxTime: timestamps[end - 1],
      raw: { type: ChunkEncoding.XOR, data: enc.bytes().slice() },
    });
  }
  return chunks;
}

function matches(labels: Label[], matchers: { type: string; name: string; value: string }[]): boolean {
  return matchers.every((m) => {
    const v = labels.find((l) => l.name === m.name)?.value ?? '';
    switch (m.type) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(v);
      default:
        return !new RegExp(`^(?:${m.value})$`).test(v);
    }
  });
}

/** Starts a StoreAPI server on 127.0.0.1 serving `series` (with the given external labels). */
export async function startFakeStore(opts: FakeStoreOptions): Promise<FakeStore> {
  const stored: Series[] = opts.series
    .map((s) => ({
      labels: toLabels(s.labels),
      chunks: s.chunks ?? encodeXorChunks(s.timestamps, s.values, opts.samplesPerChunk),
    }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
  let minTime = Number.MAX_SAFE_INTEGER;
  let maxTime = Number.MIN_SAFE_INTEGER;
  for (const s of opts.series) {
    if (s.timestamps.length === 0) continue;
    minTime = Math.min(minTime, s.timestamps[0]);
    maxTime = Math.max(maxTime, s.timestamps[s.timestamps.length - 1]);
  }
  const source: StoreSource = {
    externalLabels: toLabels(opts.externalLabels ?? {}),
    minTime,
    maxTime,
    async *series(req) {
      if (opts.delayMs) await sleep(opts.delayMs, undefined, { signal: req.signal });
      for (const s of stored) {
        if (!matches(s.labels, req.matchers)) continue;
        const chunks = s.chunks.filter((c) => c.maxTime >= req.minTime && c.minTime <= req.maxTime);
        if (chunks.length || req.skipChunks) yield { labels: s.labels, chunks: req.skipChunks ? [] : chunks };
      }
    },
    labelNames(req) {
      const names = new Set<string>();
      for (const s of stored) if (matches(s.labels, req.matchers)) for (const l of s.labels) names.add(l.name);
      return [...names];
    },
    labelValues(name, req) {
      const values = new Set<string>();
      for (const s of stored) {
        const v = s.labels.find((l) => l.name === name)?.value;
        if (v !== undefined && matches(s.labels, req.matchers)) values.add(v);
      }
      return [...values];
    },
  };
  const requests: SeriesRequest[] = [];
  const impl = createSourceStore({ componentType: 'store', sources: () => [source] });
  const failAfter = opts.failAfterSeries ?? Infinity;
  const server = createStoreServer({
    info: {
      async info(ctx) {
        const info = await impl.info.info(ctx);
        if (opts.noReplicaLabelRemoval && info.store) info.store.supportsWithoutReplicaLabels = false;
        return info;
      },
    },
    store: {
      ...impl.store,
      series: (req, sink, ctx) => {
        requests.push(req);
        const served = opts.noReplicaLabelRemoval ? { ...req, withoutReplicaLabels: [] } : req;
        let sent = 0;
        const failing: SeriesSink = {
          send(resp) {
            if (resp.type === 'series' && sent++ === failAfter) throw StoreApiError.unavailable('disk went away');
            return sink.send(resp);
          },
        };
        return impl.store.series(served, failing, ctx);
      },
    },
  });
  const address = await server.listen('127.0.0.1:0');
  return { address, requests, stop: () => server.stop(100) };
}
