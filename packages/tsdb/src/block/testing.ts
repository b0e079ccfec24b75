// Deterministic random series for block tests and benchmarks (not part of the package's API).
import { STALE_NAN_HI, STALE_NAN_LO } from '../chunkenc';
import { compareLabels, sortLabels, type Label } from '../labels';
import { seededRandom } from '@thanos-ts/testkit';
import type { SampleSeries } from './from-samples';
import { HI_WORD, LO_WORD, valueWords } from './value-words';

const LABEL_VALUES = ['a', 'B', 'grüße ☃', '日本', '😀', '\uff5e', 'quote"back\\slash', 'nl\nend', 'tab\t', '', 'x'];
const SPECIAL_VALUES = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -1.7976931348623157e308, 1e-300, 0.1, 1e6];
const TIME_BASES = [-4e15, -86_400_000, 0, 1_672_531_200_000, 4e15];

export interface RandomSeriesOptions {
  series: number;
  /** Average samples per series; a few series get up to 10x more. */
  samplesPerSeries: number;
  seed?: number;
}

/**
 * Series in label order with UTF-8 label values and samples that stress the formats:
 * NaN, stale markers, ±Inf, ±0, denormals, and timestamps far before 1970 and after 2100,
 * with irregular gaps (some huge).
 */
export function randomSeries(o: RandomSeriesOptions): SampleSeries[] {
  const rnd = seededRandom(o.seed ?? 1);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const seen = new Set<string>();
  const out: SampleSeries[] = [];
  while (out.length < o.series) {
    const labels: Label[] = [{ name: '__name__', value: `metric_${Math.floor(rnd() * 50)}` }];
    labels.push({ name: 'instance', value: `host-${Math.floor(rnd() * 1000)}` });
    if (rnd() < 0.5) labels.push({ name: 'utf8', value: pick(LABEL_VALUES) + Math.floor(rnd() * 10) });
    if (rnd() < 0.2) labels.push({ name: 'A_upper', value: pick(LABEL_VALUES) });
    const key = JSON.stringify(labels);
    if (seen.has(key)) continue;
    seen.add(key);
    const n =
      rnd() < 0.02 ? Math.floor(rnd() * o.samplesPerSeries * 10) + 1 : Math.floor(rnd() * o.samplesPerSeries * 2) + 1;
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    const words = valueWords(values);
    let t = pick(TIME_BASES) + Math.floor(rnd() * 1e6);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      const gap = r < 0.01 ? Math.floor(rnd() * 1e12) + 1 : r < 0.5 ? 15_000 : Math.floor(rnd() * 100_000) + 1;
      t += i === 0 ? 0 : gap;
      timestamps[i] = t;
      const kind = rnd();
      if (kind < 0.05) {
        words[2 * i + HI_WORD] = STALE_NAN_HI;
        words[2 * i + LO_WORD] = STALE_NAN_LO;
      } else if (kind < 0.15) values[i] = pick(SPECIAL_VALUES);
      else if (kind < 0.5) values[i] = Math.floor(rnd() * 1000);
      else values[i] = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
    }
    out.push({ labels: sortLabels(labels), timestamps, values });
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}
