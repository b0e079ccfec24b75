import xxhash from 'xxhash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSeriesHasher, type SeriesHasher } from './hasher';
import type { Label } from './types';

/** The byte layout of §2.3 built independently with Buffer. */
function seriesBytes(tenant: string, labels: Label[]): Uint8Array {
  const sep = Buffer.from([0xff]);
  const parts = [Buffer.from(tenant, 'utf8'), sep];
  for (const l of labels) parts.push(Buffer.from(l.name, 'utf8'), sep, Buffer.from(l.value, 'utf8'), sep);
  return Buffer.concat(parts);
}

describe('SeriesHasher', () => {
  let hasher: SeriesHasher;
  let h64Raw: (b: Uint8Array) => bigint;
  beforeAll(async () => {
    hasher = await createSeriesHasher();
    h64Raw = (await xxhash()).h64Raw;
  });

  it('hashes XXH64("") like Go', () => {
    expect(hasher.hashString('')).toBe(0xef46db3751d8e999n);
  });

  it.each<[string, Label[]]>([
    ['t', []],
    ['', [{ name: '__name__', value: 'up' }]],
    [
      'tenant-ü',
      [
        { name: 'a', value: 'välüe 😀' },
        { name: 'b', value: '' },
      ],
    ],
    [
      'long',
      [
        { name: 'x', value: 'v'.repeat(5000) },
        { name: 'y', value: 'é'.repeat(3000) },
      ],
    ],
    ['many', Array.from({ length: 300 }, (_, i) => ({ name: `label_${i}`, value: `value_${i}` }))],
  ])('hashes tenant %s and its labels as the exact byte layout', (tenant, labels) => {
    expect(hasher.hash(tenant, labels)).toBe(h64Raw(seriesBytes(tenant, labels)));
  });

  it('gives the same hash through the incremental and raw-byte forms', () => {
    const labels = [
      { name: '__name__', value: 'http_requests_total' },
      { name: 'path', value: '/ü' },
    ];
    const expected = hasher.hash('acme', labels);

    hasher.begin('acme');
    for (const l of labels) hasher.addLabel(l.name, l.value);
    expect(hasher.digest()).toBe(expected);

    // Label bytes inside a larger buffer, as a protobuf decoder would have them.
    const raw = Buffer.from('..__name__http_requests_totalpath/ü', 'utf8');
    const refs = Uint32Array.of(2, 10, 10, 29, 29, 33, 33, raw.length);
    const words = new DataView(raw.buffer, raw.byteOffset, raw.length);
    expect(hasher.hashLabelRanges('acme', raw, words, refs, 0, 2, -1)).toBe(expected);
  });

  it('hashes label byte ranges of a request like the label list, skipping one label', () => {
    const labels: Label[] = [
      { name: '__name__', value: 'http_requests_total' },
      { name: 'tenant', value: 'split-off' },
      { name: 'path', value: '/ü' },
      { name: 'big', value: 'x'.repeat(3000) },
      { name: 'e', value: '' },
    ];
    // the labels laid out in one buffer behind some other bytes, with their byte ranges
    const parts: Buffer[] = [Buffer.from('pre')];
    const refs = new Uint32Array(4 * labels.length);
    let pos = 3;
    labels.forEach((l, i) => {
      for (const [k, text] of [l.name, l.value].entries()) {
        const b = Buffer.from(text, 'utf8');
        refs[4 * i + 2 * k] = pos;
        refs[4 * i + 2 * k + 1] = pos + b.length;
        parts.push(b);
        pos += b.length;
      }
    });
    const src = Buffer.concat(parts);
    const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const without = labels.filter((_, i) => i !== 1);
    for (const tenant of ['acme', 'tenant-ü', 'acme']) {
      expect(hasher.hashLabelRanges(tenant, src, words, refs, 0, labels.length, 1)).toBe(
        h64Raw(seriesBytes(tenant, without)),
      );
      expect(hasher.hashLabelRanges(tenant, src, words, refs, 0, labels.length, -1)).toBe(
        h64Raw(seriesBytes(tenant, labels)),
      );
      expect(hasher.hashLabelRanges(tenant, src, words, refs, 2, 3, -1)).toBe(h64Raw(seriesBytes(tenant, [labels[2]])));
    }
    // the shorter input after a longer one is hashed at its own length
    expect(hasher.hashString('')).toBe(0xef46db3751d8e999n);
  });

  it('depends on label order (labels are not re-sorted)', () => {
    const a = { name: 'a', value: '1' };
    const b = { name: 'b', value: '2' };
    expect(hasher.hash('t', [a, b])).not.toBe(hasher.hash('t', [b, a]));
  });
});
