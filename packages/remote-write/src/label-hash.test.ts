import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import XXH from 'xxhashjs';
import { hashLabels, hashViewSeries, thanosSeriesHash, thanosSeriesHashInput, xxhash64 } from './label-hash';
import { loadRemoteWriteFixtures } from './test-fixtures';
import { decodeWriteRequest } from './write-request-decoder';
import { encodeWriteRequest } from './write-request-encoder';
import type { Label } from './write-request-view';

interface GoldenVectors {
  vectors: { tenant: string; labels: Label[]; hash_with_prefix_hex: string }[];
  ketama_section_hash_samples: { input: string; xxh64_hex: string }[];
}

const golden = JSON.parse(
  readFileSync(join(sharedDir, 'spec', 'hashring-golden', 'vectors.json'), 'utf8'),
) as GoldenVectors;

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex64 = (h: bigint) => h.toString(16).padStart(16, '0');

describe('xxhash64', () => {
  it('matches published XXH64 (seed 0) vectors', () => {
    expect(hex64(xxhash64(utf8('')))).toBe('ef46db3751d8e999');
    expect(hex64(xxhash64(utf8('a')))).toBe('d24ec4f1a98c6e5b');
    expect(hex64(xxhash64(utf8('abc')))).toBe('44bc2cf5ad770999');
  });

  it('matches the raw XXH64 samples of the Go golden generator', () => {
    expect(golden.ketama_section_hash_samples.length).toBeGreaterThan(0);
    for (const s of golden.ketama_section_hash_samples) expect(hex64(xxhash64(utf8(s.input)))).toBe(s.xxh64_hex);
  });

  it('agrees with xxhashjs on inputs of every length up to 300 bytes', () => {
    let seed = 7;
    for (let n = 0; n <= 300; n++) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = seed = (seed * 1103515245 + 12345) & 0xff;
      expect(hex64(xxhash64(bytes))).toBe(XXH.h64(Buffer.from(bytes), 0).toString(16).padStart(16, '0'));
    }
  });
});

describe('label set hashes', () => {
  it('reproduces every Thanos hashring golden hash (tenant-prefixed, labels in received order)', () => {
    expect(golden.vectors.length).toBe(22);
    for (const v of golden.vectors) expect(hex64(thanosSeriesHash(v.tenant, v.labels))).toBe(v.hash_with_prefix_hex);
  });

  it('exposes the exact hashring input bytes', () => {
    const input = thanosSeriesHashInput('t', [
      { name: '__name__', value: 'up' },
      { name: 'job', value: 'ü' },
    ]);
    expect(Buffer.from(input).toString('latin1')).toBe('t\xff__name__\xffup\xffjob\xff\xc3\xbc\xff');
    const v = golden.vectors[1];
    expect(hex64(xxhash64(thanosSeriesHashInput(v.tenant, v.labels)))).toBe(v.hash_with_prefix_hex);
  });

  it('hashLabels is Prometheus labels.Hash: name 0xff value 0xff per label, no prefix', () => {
    const labels = [
      { name: '__name__', value: 'up' },
      { name: 'job', value: 'node' },
    ];
    expect(hashLabels(labels)).toBe(xxhash64(Buffer.from('__name__\xffup\xffjob\xffnode\xff', 'latin1')));
    expect(hashLabels([])).toBe(xxhash64(new Uint8Array(0)));
  });

  it('hashes long label sets (beyond the 1024-byte scratch buffer) correctly', () => {
    const labels = [{ name: 'big', value: 'x'.repeat(5000) }];
    expect(hashLabels(labels)).toBe(xxhash64(Buffer.from(`big\xff${'x'.repeat(5000)}\xff`, 'latin1')));
  });

  it('hashViewSeries handles label sets longer than its scratch buffer and odd string lengths', () => {
    const series = [1, 2, 3, 4, 5, 4099].map((n) => [
      { name: 'v'.repeat(n), value: 'x'.repeat(n + 1) },
      { name: 'é', value: '東京' },
    ]);
    const view = decodeWriteRequest(encodeWriteRequest({ timeseries: series.map((labels) => ({ labels })) }));
    series.forEach((labels, s) => {
      expect(hashViewSeries(view, s)).toBe(hashLabels(labels));
      expect(hashViewSeries(view, s, 'tenant-ü')).toBe(thanosSeriesHash('tenant-ü', labels));
    });
  });

  it('hashViewSeries hashes a decoded series from its wire bytes like the string-based functions', () => {
    for (const fx of loadRemoteWriteFixtures().filter((f) => !f.name.includes('-bad-'))) {
      const view = decodeWriteRequest(fx.pb);
      for (let s = 0; s < view.seriesCount; s++) {
        const labels = view.seriesLabels(s);
        expect(hashViewSeries(view, s)).toBe(hashLabels(labels));
        expect(hashViewSeries(view, s, 'tenant-a')).toBe(thanosSeriesHash('tenant-a', labels));
      }
    }
  });
});
