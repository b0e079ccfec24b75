// The data set of the query benchmarks and how it reaches each system: OpenMetrics text
// for promtool (Prometheus's blocks) and remote write for our receiver.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Querier } from '../../packages/query/src/index';
import { compressSnappyBlock, encodeWriteRequest } from '../../packages/remote-write/src/index';
import { createLogger } from '../../packages/runtime/src/index';

export const INTERVAL = 15_000;
const JOBS = 10;
const LE = ['0.01', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

export interface BenchSeries {
  name: string;
  labels: [string, string][];
  /** Value at sample i (deterministic, so both systems get identical data). */
  value(i: number): number;
}

export interface BenchShape {
  /** Counter series, and as many histogram bucket series. */
  series: number;
  /** Samples per series, one every INTERVAL from `start`. */
  samples: number;
  start: number;
}

/** `x{job, instance}` counters (10 jobs) plus as many `h_bucket{job, instance, le}` series (10 buckets). */
export function dataSet(seriesCount: number): BenchSeries[] {
  const out: BenchSeries[] = [];
  for (let s = 0; s < seriesCount; s++) {
    const rate = 1 + (s % 7);
    out.push({
      name: 'x',
      labels: [
        ['instance', `i${s}`],
        ['job', `j${s % JOBS}`],
      ],
      value: (i) => i * rate + (s % 13),
    });
  }
  for (let g = 0; g < seriesCount / LE.length; g++) {
    LE.forEach((le, b) =>
      out.push({
        name: 'h_bucket',
        labels: [
          ['instance', `i${g}`],
          ['job', `j${g % JOBS}`],
          ['le', le],
        ],
        value: (i) => i * (b + 1) + g,
      }),
    );
  }
  return out;
}

export async function writeOpenMetrics(series: BenchSeries[], shape: BenchShape, file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  for (const name of ['x', 'h_bucket']) {
    await write(`# TYPE ${name} gauge\n`);
    for (const s of series) {
      if (s.name !== name) continue;
      const ls = s.labels.map(([k, v]) => `${k}="${v}"`).join(',');
      let buf = '';
      for (let i = 0; i < shape.samples; i++) {
        buf += `${name}{${ls}} ${s.value(i)} ${(shape.start + i * INTERVAL) / 1000}\n`;
      }
      await write(buf);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
}

/** Writes time slice after time slice (all series each), as a scraper would: the head only accepts recent samples. */
export async function remoteWrite(remoteWritePort: number, series: BenchSeries[], shape: BenchShape): Promise<void> {
  const SLICE = 120;
  const perRequest = Math.max(1, Math.floor(200_000 / SLICE));
  const url = `http://127.0.0.1:${remoteWritePort}/api/v1/receive`;
  for (let first = 0; first < shape.samples; first += SLICE) {
    const idx = Array.from({ length: Math.min(SLICE, shape.samples - first) }, (_, i) => first + i);
    const timestamps = idx.map((i) => shape.start + i * INTERVAL);
    for (let from = 0; from < series.length; from += perRequest) {
      const body = compressSnappyBlock(
        encodeWriteRequest({
          timeseries: series.slice(from, from + perRequest).map((s) => ({
            labels: [{ name: '__name__', value: s.name }, ...s.labels.map(([name, value]) => ({ name, value }))],
            timestamps,
            values: Float64Array.from(idx, (i) => s.value(i)),
          })),
        }),
      );
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
      });
      if (res.status !== 200) throw new Error(`remote write failed: ${res.status} ${await res.text()}`);
    }
  }
}

/** The four range queries. */
export { BENCH_QUERIES as QUERIES } from '../promql/bench-data';

export interface QueryTiming {
  fanOutMs: number;
  decodeMs: number;
  evalMs: number;
  series: number;
  samples: number;
}

/** A started querier over one store whose `lastTiming()` is where its latest query spent its time. */
export async function startBenchQuerier(
  storeGrpcPort: number,
  onTiming?: (t: QueryTiming) => void,
): Promise<{ querier: Querier; lastTiming: () => QueryTiming }> {
  let last: QueryTiming = { fanOutMs: 0, decodeMs: 0, evalMs: 0, series: 0, samples: 0 };
  const querier = new Querier({
    httpAddress: '127.0.0.1:0',
    endpoints: [`127.0.0.1:${storeGrpcPort}`],
    replicaLabels: ['replica', 'tenant_id'],
    logger: createLogger({ write: () => {} }),
    onQueryTiming: (t) => {
      last = t;
      onTiming?.(t);
    },
  });
  await querier.start();
  return { querier, lastTiming: () => last };
}
