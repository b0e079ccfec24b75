// Synthetic scrape data for differential tests and benchmarks: counters with resets, gauges
// (with NaNs and gaps), classic histograms and info-style series, sampled on a jittered
// scrape interval. The same samples are written as OpenMetrics text (for promtool) and
// loaded into a MemorySeriesStore, so both engines see identical data.

import { createWriteStream } from 'node:fs';
import { labelsFromRecord } from '../labels';
import type { MemorySeriesStore } from '../storage';
import { Prng } from './prng';

export interface GeneratedSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Integer milliseconds, ascending. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export interface DataShape {
  seed: number;
  /** First scrape, ms. */
  start: number;
  /** Number of scrape intervals covered. */
  scrapes: number;
  intervalMs: number;
  /** Counter series per (job, instance) beyond the `code` split; see generateDataset. */
  jobs: readonly string[];
  instancesPerJob: number;
  /** Whether to add gaps, NaNs and the smaller metric families used by the differential test. */
  irregular: boolean;
}

export const HISTOGRAM_BOUNDS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'] as const;

type Kind = 'counter' | 'gauge' | 'const';

interface SeriesPlan {
  labels: Record<string, string>;
  kind: Kind;
  /** Gauge level or counter rate per scrape. */
  scale: number;
}

/**
 * Integer ms timestamps that survive the OpenMetrics round trip: Prometheus reads the seconds as a
 * float and truncates `seconds * 1000`, so a timestamp whose decimal form would come back one ms
 * lower is nudged until it does not.
 */
export function omSafeTimestamp(t: number): number {
  for (;;) {
    if (Math.trunc(Number(formatOmSeconds(t)) * 1000) === t) return t;
    t++;
  }
}

function formatOmSeconds(t: number): string {
  const s = Math.floor(t / 1000);
  const ms = t - s * 1000;
  return ms === 0 ? String(s) : `${s}.${String(ms).padStart(3, '0')}`;
}

function formatOmValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function plans(shape: DataShape, rng: Prng): SeriesPlan[] {
  const out: SeriesPlan[] = [];
  for (const job of shape.jobs) {
    for (let i = 0; i < shape.instancesPerJob; i++) {
      const instance = `host-${i}:9100`;
      for (const code of ['200', '404', '500']) {
        out.push({
          labels: { __name__: 'http_requests_total', job, instance, code },
          kind: 'counter',
          scale: code === '200' ? rng.int(5, 50) : rng.int(0, 3) + rng.next(),
        });
      }
      for (const le of HISTOGRAM_BOUNDS) {
        out.push({
          labels: { __name__: 'request_duration_seconds_bucket', job, instance, le },
          kind: 'counter',
          scale: 0,
        });
      }
      if (!shape.irregular) continue;
      out.push({ labels: { __name__: 'memory_bytes', job, instance }, kind: 'gauge', scale: rng.int(1, 100) * 1e6 });
      out.push({
        labels: { __name__: 'temperature_celsius', job, instance, location: rng.pick(['north', 'south']) },
        kind: 'gauge',
        scale: 20,
      });
      out.push({ labels: { __name__: 'up', job, instance }, kind: 'const', scale: 1 });
      out.push({ labels: { __name__: 'build_info', job, instance, version: `1.${i % 2}.0` }, kind: 'const', scale: 1 });
    }
  }
  return out;
}

/** Generates the dataset described by `shape`; deterministic for a given shape. */
export function generateDataset(shape: DataShape): GeneratedSeries[] {
  const rng = new Prng(shape.seed);
  const out: GeneratedSeries[] = [];
  const planned = plans(shape, rng);
  // Histogram buckets of one (job, instance) share one stream of observations so they stay cumulative.
  let bucketCounts: number[] = [];
  for (const plan of planned) {
    const le = plan.labels.le;
    if (le === HISTOGRAM_BOUNDS[0]) bucketCounts = histogramCounts(shape, rng);
    const timestamps = new Float64Array(shape.scrapes);
    const values = new Float64Array(shape.scrapes);
    let n = 0;
    let counter = 0;
    const gapAt = shape.irregular && rng.next() < 0.5 ? rng.int(0, shape.scrapes) : -1;
    const gapLen = rng.int(4, 40);
    const resetEvery = rng.int(shape.scrapes / 3, shape.scrapes * 2);
    let t = shape.start;
    for (let i = 0; i < shape.scrapes; i++, t += shape.intervalMs) {
      if (i >= gapAt && i < gapAt + gapLen && le === undefined) continue;
      const ts = omSafeTimestamp(t + (shape.irregular ? rng.int(0, 900) : 0));
      let v: number;
      if (le !== undefined) {
        v =
          bucketCounts[i * HISTOGRAM_BOUNDS.length + HISTOGRAM_BOUNDS.indexOf(le as (typeof HISTOGRAM_BOUNDS)[number])];
      } else if (plan.kind === 'counter') {
        if (i > 0 && i % resetEvery === 0) counter = 0;
        counter += Math.round(plan.scale * rng.next() * 2 * 100) / 100;
        v = counter;
      } else if (plan.kind === 'gauge') {
        v = Math.round((plan.scale * (1 + Math.sin(i / 17)) + rng.next() * plan.scale * 0.1 - 2) * 1000) / 1000;
        if (shape.irregular && rng.next() < 0.003) v = NaN;
      } else {
        v = plan.scale;
      }
      timestamps[n] = ts;
      values[n] = v;
      n++;
    }
    out.push({ labels: plan.labels, timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) });
  }
  return out;
}

/** Cumulative bucket counts per scrape, laid out scrape-major; resets now and then. */
function histogramCounts(shape: DataShape, rng: Prng): number[] {
  const nb = HISTOGRAM_BOUNDS.length;
  const counts = new Array<number>(shape.scrapes * nb);
  const cum = new Array<number>(nb).fill(0);
  const resetAt = shape.irregular ? rng.int(shape.scrapes / 4, shape.scrapes) : -1;
  const mean = 0.2 + rng.next();
  for (let i = 0; i < shape.scrapes; i++) {
    if (i === resetAt) cum.fill(0);
    const observations = rng.int(0, 20);
    for (let k = 0; k < observations; k++) {
      const latency = -Math.log(1 - rng.next()) * mean;
      for (let b = 0; b < nb; b++) if (b === nb - 1 || latency <= Number(HISTOGRAM_BOUNDS[b])) cum[b]++;
    }
    for (let b = 0; b < nb; b++) counts[i * nb + b] = cum[b];
  }
  return counts;
}

function omLine(s: GeneratedSeries, i: number, labelText: string): string {
  return `${labelText} ${formatOmValue(s.values[i])} ${formatOmSeconds(s.timestamps[i])}\n`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return `${name}{${pairs.join(',')}}`;
}

/** Writes the series as OpenMetrics text with timestamps (no metadata, so every family is "unknown"). */
export async function writeOpenMetrics(path: string, series: readonly GeneratedSeries[]): Promise<void> {
  const out = createWriteStream(path);
  const write = (chunk: string) =>
    out.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  for (const s of series) {
    const text = labelText(s.labels);
    let chunk = '';
    for (let i = 0; i < s.timestamps.length; i++) {
      chunk += omLine(s, i, text);
      if (chunk.length > 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  }
  await write('# EOF\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Appends every sample to the store. */
export function loadIntoStore(store: MemorySeriesStore, series: readonly GeneratedSeries[]): void {
  for (const s of series) {
    const labels = labelsFromRecord({ ...s.labels });
    for (let i = 0; i < s.timestamps.length; i++) store.appendFrom(labels, s.timestamps[i], s.values, i);
  }
}

/** Last sample timestamp in the dataset. */
export function datasetEnd(series: readonly GeneratedSeries[]): number {
  let end = -Infinity;
  for (const s of series) if (s.timestamps.length) end = Math.max(end, s.timestamps[s.timestamps.length - 1]);
  return end;
}
