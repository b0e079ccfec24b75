import { formatPromApiFloat, formatPromApiTimestamp } from '@thanos-ts/tsdb';
import { describe, expect, it } from 'vitest';
import { apiFloat, apiTimestamp, queryData, queryDataJson, successBody } from './json';

/** Deterministic pseudo-random doubles over the whole bit space (xorshift on two words). */
function randomDoubles(n: number): Float64Array {
  const out = new Float64Array(n);
  const words = new Uint32Array(out.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return out;
}

describe('Prometheus API number formatting fast paths', () => {
  it('formats every kind of double exactly as formatPromApiFloat', () => {
    const edge = [0, -0, NaN, Infinity, -Infinity, 1e-6, 1e-6 * (1 - Number.EPSILON), 1e21, 1e21 - 131072, -1e-6];
    const values = [...edge, ...randomDoubles(20_000)];
    // doubles of everyday magnitudes, where the fast path is taken
    for (let i = 0; i < 20_000; i++) values.push((i * 7919) / 997 - 100, i * 0.1, 1 / (i + 1), i * 1e15);
    const differing = values.filter((v) => apiFloat(v) !== formatPromApiFloat(v));
    expect(differing).toEqual([]);
  });

  it('formats timestamps exactly as formatPromApiTimestamp', () => {
    for (const ms of [0, -0, 1000, -5000, 1700000000000, 1700000000100, 1700000000001, -1500, 123]) {
      expect(apiTimestamp(ms)).toBe(formatPromApiTimestamp(ms));
    }
  });

  it('writes a matrix with Go-formatted values', () => {
    const json = queryDataJson({
      type: 'matrix',
      series: [
        {
          metric: [{ name: 'job', value: 'a<b' }],
          timestamps: new Float64Array([1000, 61_500]),
          values: new Float64Array([0.1, 1e21]),
        },
      ],
    } as never);
    expect(json).toBe(
      '{"resultType":"matrix","result":[{"metric":{"job":"a\\u003cb"},"values":[[1,"0.1"],[61.500,"1e+21"]]}]}',
    );
  });

  it('writes every point of a matrix as apiTimestamp and apiFloat format it, repeated values included', () => {
    const timestamps = [
      0, 1000, 1500, -2000, -1500, 2_147_483_647_000, 2_147_483_648_000, 4_102_444_800_123, 1_700_000_000_000,
    ];
    const values = [0, -0, -0, 0, NaN, NaN, 1e-7, 1e-7, 0.1];
    const json = queryDataJson({
      type: 'matrix',
      series: [{ metric: [], timestamps: Float64Array.from(timestamps), values: Float64Array.from(values) }],
    } as never);
    const points = timestamps.map((t, i) => `[${apiTimestamp(t)},"${apiFloat(values[i])}"]`);
    expect(json).toBe(`{"resultType":"matrix","result":[{"metric":{},"values":[${points.join(',')}]}]}`);
    expect(points[1]).toBe('[1,"-0"]');
  });

  it('writes a large matrix as the same UTF-8 bytes as its string form, in a body with warnings', () => {
    const series = Array.from({ length: 300 }, (_, k) => ({
      metric: [{ name: 'job', value: `\u00e9t\u00e9-\u{1F600}-${k}` }],
      timestamps: Float64Array.from({ length: 50 }, (_, i) => 1_700_000_000_000 + i * 15_500),
      values: Float64Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? NaN : k / (i + 1))),
    }));
    const value = { type: 'matrix', series } as never;
    const bytes = queryData(value) as Buffer[];
    expect(bytes.length).toBeGreaterThan(3);
    expect(Buffer.concat(bytes).length).toBeGreaterThan(200_000);
    const text = queryDataJson(value);
    expect(JSON.parse(text).result[299].metric.job).toBe('\u00e9t\u00e9-\u{1F600}-299');
    expect(JSON.parse(text).result[1].values[0]).toEqual([1_700_000_000, 'NaN']);
    const body = Buffer.concat(successBody(bytes, ['store a: down'], { note: '1' }) as Buffer[]);
    expect(body.toString('utf8')).toBe(successBody(text, ['store a: down'], { note: '1' }));
  });
});
