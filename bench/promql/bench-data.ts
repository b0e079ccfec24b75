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
