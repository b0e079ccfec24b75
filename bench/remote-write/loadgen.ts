// remote_write load generator: pre-encodes requests the way Prometheus' queue shards cut them (each shard
// owns a slice of the series and sends one time step per request, in time order), then replays them over
// several keep-alive connections and reports latency percentiles.
import {
  compressSnappyBlock,
  encodeWriteRequest,
  RemoteWriteClient,
  type TimeSeriesInput,
} from '../../packages/remote-write/src/index';
import { seededRandom } from '../../packages/testkit/src/index';
import { generateSeries, type GeneratedSeries } from './series-generator';

export interface LoadPlanOptions {
  seriesCount: number;
  /** Time steps; every series gets one sample per step. */
  samplesPerSeries: number;
  /** Series per request (Prometheus shards send up to `max_samples_per_send`, 500 by default). */
  seriesPerRequest: number;
  /** Timestamp of the first step (ms). */
  startMs: number;
  stepMs?: number;
  seed?: number;
}

/** One shard's requests, in the order they must be sent (time order). */
export interface ShardPlan {
  bodies: Uint8Array[];
  samplesPerBody: number[];
}

export interface LoadPlan {
  shards: ShardPlan[];
  totalSamples: number;
  totalBytes: number;
}

/**
 * Encodes and snappy-compresses every request up front. Slice `j` of the series (seriesPerRequest each)
 * goes to shard `j % shardCount`; within a shard, requests are ordered by step so that no series ever
 * receives an older sample after a newer one.
 */
export function planLoad(options: LoadPlanOptions, shardCount: number): LoadPlan {
  const series = generateSeries(options.seriesCount, options.seed ?? 1);
  const rnd = seededRandom((options.seed ?? 1) + 1);
  const step = options.stepMs ?? 15_000;
  const current = new Float64Array(series.length).map(() => Math.round(rnd() * 1e6) / 100);
  const slices: GeneratedSeries[][] = [];
  for (let i = 0; i < series.length; i += options.seriesPerRequest) {
    slices.push(series.slice(i, i + options.seriesPerRequest));
  }
  const shards: ShardPlan[] = Array.from({ length: Math.min(shardCount, slices.length) }, () => ({
    bodies: [],
    samplesPerBody: [],
  }));
  let totalSamples = 0;
  let totalBytes = 0;
  for (let k = 0; k < options.samplesPerSeries; k++) {
    const ts = options.startMs + k * step;
    let offset = 0;
    slices.forEach((slice, j) => {
      const timeseries: TimeSeriesInput[] = slice.map((s, i) => {
        const idx = offset + i;
        current[idx] = s.counter ? current[idx] + Math.round(rnd() * 1000) / 100 : Math.round(rnd() * 1e6) / 100;
        return { labels: s.labels, timestamps: [ts], values: current.subarray(idx, idx + 1) };
      });
      offset += slice.length;
      const body = compressSnappyBlock(encodeWriteRequest({ timeseries }));
      const shard = shards[j % shards.length];
      shard.bodies.push(body);
      shard.samplesPerBody.push(slice.length);
      totalSamples += slice.length;
      totalBytes += body.length;
    });
  }
  return { shards, totalSamples, totalBytes };
}

export interface LoadRunOptions {
  url: string;
  tenant?: string;
  plan: LoadPlan;
}

export interface LoadResult {
  requests: number;
  samples: number;
  /** Requests answered with a non-2xx status or failed at the network level. */
  failed: number;
  statusCounts: Record<string, number>;
  durationMs: number;
  samplesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** First error response bodies (up to 5), for diagnosis. */
  errorSamples: string[];
}

/** Replays a plan: one keep-alive connection per shard, each sending its requests one after another. */
export async function runLoad(options: LoadRunOptions): Promise<LoadResult> {
  const { plan } = options;
  const client = new RemoteWriteClient({ url: options.url, tenant: options.tenant, maxSockets: plan.shards.length });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const errorSamples: string[] = [];
  let samples = 0;
  let failed = 0;
  const count = (status: string, body: string) => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (!status.startsWith('2')) {
      failed++;
      if (errorSamples.length < 5) errorSamples.push(`${status}: ${body.slice(0, 200)}`);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(
      plan.shards.map(async (shard) => {
        for (let i = 0; i < shard.bodies.length; i++) {
          const t0 = performance.now();
          try {
            const res = await client.send(shard.bodies[i]);
            count(String(res.status), res.body);
            if (res.status < 300) samples += shard.samplesPerBody[i];
          } catch (err) {
            count('network-error', (err as Error).message);
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    client.close();
  }
  const durationMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    samples,
    failed,
    statusCounts,
    durationMs,
    samplesPerSecond: (samples / durationMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? 0,
    errorSamples,
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
