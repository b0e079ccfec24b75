// Regular benchmark data: counters `x{job, instance}` and classic histograms `h_bucket{job, instance, le}`,
// one sample every interval, values computed from the sample index so nothing needs to be stored twice.
import { createWriteStream } from 'node:fs';

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

/** Streams the series as OpenMetrics text with whole-second timestamps. */
export async function writeBenchOpenMetrics(
  path: string,
  series: readonly BenchSeries[],
  start: number,
  samples: number,
  interval: number,
): Promise<void> {
  const out = createWriteStream(path);
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  for (const s of series) {
    const { __name__: name, ...rest } = s.labels;
    const head = `${name}{${Object.entries(rest)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}} `;
    let chunk = '';
    for (let i = 0; i < samples; i++) {
      chunk += `${head}${s.value(i)} ${(start + i * interval) / 1000}\n`;
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
