// A small deterministic data set (counters with resets, histogram buckets, gauges) that
// tests and benchmarks load into both a real Prometheus and our receiver.
import { seededRandom } from '@thanos-ts/testkit';

export interface GeneratedSeries {
  labels: Record<string, string>;
  timestamps: number[];
  values: Float64Array;
}

export interface DataSetOptions {
  startMs: number;
  samples: number;
  intervalMs: number;
  /** Multiplies the number of instances (series count scales with it). */
  instances?: number;
  seed?: number;
}

const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];

export function generateDataSet(opts: DataSetOptions): GeneratedSeries[] {
  const rnd = seededRandom(opts.seed ?? 42);
  const ts = Array.from({ length: opts.samples }, (_, i) => opts.startMs + i * opts.intervalMs);
  const out: GeneratedSeries[] = [];
  const instances = Array.from({ length: opts.instances ?? 3 }, (_, i) => `i${i}`);
  const counter = (labels: Record<string, string>, rate: number) => {
    const values = new Float64Array(ts.length);
    let v = Math.floor(rnd() * 100);
    for (let i = 0; i < ts.length; i++) {
      // An occasional counter reset (process restart).
      if (rnd() < 0.01) v = 0;
      v += Math.floor(rnd() * rate);
      values[i] = v;
    }
    out.push({ labels, timestamps: ts, values });
  };
  for (const job of ['api', 'web']) {
    for (const instance of instances) {
      for (const code of ['200', '500']) {
        counter({ __name__: 'http_requests_total', job, instance, code }, code === '200' ? 20 : 3);
      }
      const values = new Float64Array(ts.length);
      for (let i = 0; i < ts.length; i++)
        values[i] = Math.round(1e6 * (100 + 50 * Math.sin(i / 17) + rnd() * 10)) / 1e3;
      out.push({ labels: { __name__: 'memory_bytes', job, instance }, timestamps: ts, values });
    }
    // Cumulative buckets: each le gets at least what the smaller one got.
    const increments = BUCKETS.map(() => new Float64Array(ts.length));
    for (let i = 0; i < ts.length; i++) {
      let acc = 0;
      for (let b = 0; b < BUCKETS.length; b++) {
        acc += Math.floor(rnd() * 5);
        increments[b][i] = acc;
      }
    }
    BUCKETS.forEach((le, b) => {
      const values = new Float64Array(ts.length);
      let v = 0;
      for (let i = 0; i < ts.length; i++) {
        v += increments[b][i];
        values[i] = v;
      }
      out.push({ labels: { __name__: 'request_duration_seconds_bucket', job, le }, timestamps: ts, values });
    });
  }
  return out;
}

/** The data set as OpenMetrics text with timestamps (for `promtool tsdb create-blocks-from openmetrics`). */
export function toOpenMetrics(series: GeneratedSeries[]): string {
  const byName = new Map<string, GeneratedSeries[]>();
  for (const s of series) {
    const list = byName.get(s.labels.__name__) ?? [];
    list.push(s);
    byName.set(s.labels.__name__, list);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of list) {
      const labelText = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      for (let i = 0; i < s.timestamps.length; i++) {
        lines.push(`${name}{${labelText}} ${s.values[i]} ${(s.timestamps[i] / 1000).toFixed(3)}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
