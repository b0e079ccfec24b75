// Regular benchmark data: counters `x{job, instance}` and classic histograms `h_bucket{job, instance, le}`,
// one sample every interval, values computed from the sample index so nothing needs to be stored twice.

export interface BenchSeries {
  labels: Record<string, string>;
  value(i: number): number;
}

const JOBS = 10;
const BOUNDS = ['0.01', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

/** `n` counter series plus `n / 10` histograms of 10 buckets each. */
export function benchSeries(n: number): BenchSeries[] {
  const out: BenchSeries[] = [];
  for (let s = 0; s < n; s++) {
    const rate = 1 + (s % 7);
    const resetEvery = 500 + (s % 1000);
    out.push({
      labels: { __name__: 'x', job: `j${s % JOBS}`, instance: `i${s}` },
      value: (i) => (i % resetEvery) * rate + (s % 13),
    });
  }
  for (let g = 0; g < n / BOUNDS.length; g++) {
    BOUNDS.forEach((le, b) =>
      out.push({
        labels: { __name__: 'h_bucket', job: `j${g % JOBS}`, instance: `i${g}`, le },
        value: (i) => i * (b + 1) + g,
      }),
    );
  }
  return out;
}

/** The query benchmark's four range queries (the querier issue's). */
export const BENCH_QUERIES = [
  'rate(x[5m])',
  'sum by (job) (rate(x[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
  'topk(10, rate(x[5m]))',
];

/** One sample every 15 s for `hours` from a fixed 2 h block boundary: sample count and time range. */
export function benchWindow(hours: number): { interval: number; samples: number; start: number; end: number } {
  const interval = 15_000;
  const samples = Math.floor((hours * 3600_000) / interval);
  const start = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);
  return { interval, samples, start, end: start + (samples - 1) * interval };
}
