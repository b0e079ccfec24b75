// Deterministic test data for the index tests (not part of the package's API).
import { compareLabels, type Label, type Labels } from '../labels';
import type { ChunkMeta } from './format';
import { seededRandom } from '@thanos-ts/testkit';

/**
 * Values that stress UTF-8 byte order: 4-byte code points (surrogate pairs in JS) sort
 * after BMP characters such as U+FF5E in UTF-8 but before them in UTF-16.
 */
export const TRICKY_VALUES = [
  'a',
  'B',
  '_',
  'ü',
  '日本',
  '\uff5e',
  '😀',
  '𝔘x',
  '\u{10ffff}',
  'a😀',
  'a\uffff',
  'tab\t',
  'nl\n',
];

export interface SyntheticSeries {
  labels: Labels;
  chunks: ChunkMeta[];
}

/** `n` distinct series with overlapping label names, optional labels and tricky values, sorted. */
export function syntheticSeries(n: number, seed: number): SyntheticSeries[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const out: SyntheticSeries[] = [];
  let chunkRef = 8;
  for (let i = 0; i < n; i++) {
    const ls: Label[] = [
      { name: '__name__', value: `metric_${i % 37}` },
      { name: 'instance', value: `host-${Math.floor(i / 37) % 400}:9100` },
      { name: 'series', value: String(i) },
    ];
    if (i % 3 === 0) ls.push({ name: 'env', value: pick(['prod', 'dev', 'staging', '']) });
    if (i % 5 === 1) ls.push({ name: 'utf8', value: pick(TRICKY_VALUES) });
    if (i % 11 === 2) ls.push({ name: 'A_upper', value: pick(TRICKY_VALUES) + i });
    if (i % 7 === 3) ls.push({ name: 'zone', value: `z${Math.floor(rand() * 50)}` });
    const labels = ls.filter((l) => l.value !== '').sort((a, b) => (a.name < b.name ? -1 : 1));
    const chunks: ChunkMeta[] = [];
    let t = Math.floor((rand() - 0.5) * 2e12);
    const nChunks = Math.floor(rand() * 4);
    for (let c = 0; c < nChunks; c++) {
      const mint = t + 1 + Math.floor(rand() * 1e6);
      const maxt = mint + Math.floor(rand() * 7.2e6);
      // Some chunks in later segment files: references above 2^32.
      const ref = rand() < 0.2 ? (1 + Math.floor(rand() * 5)) * 2 ** 32 + Math.floor(rand() * 2 ** 29) : chunkRef;
      chunkRef += 100 + Math.floor(rand() * 1000);
      chunks.push({ ref, mint, maxt });
      t = maxt;
    }
    out.push({ labels, chunks });
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}
