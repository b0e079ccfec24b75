import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { formatGoFloat, formatPromApiFloat, formatPromApiTimestamp } from './go-float';

function parseGoFloat(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

const dumps = [
  'openmetrics-blocks/expected-dump.txt',
  'wal/main/expected-dump.txt',
  'wal/main-uncompressed/expected-dump.txt',
  'wal/big-multipage-uncompressed/expected-dump.txt',
  'wal/wide-timestamps/expected-dump.txt',
];

describe('formatGoFloat', () => {
  it.each(dumps)('prints every value of %s as promtool did', (file) => {
    const lines = readFileSync(join(fixturesDir, file), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    const mismatches = lines.filter((line) => {
      const parts = line.split(' ');
      const token = parts[parts.length - 2];
      return formatGoFloat(parseGoFloat(token)) !== token;
    });
    expect(mismatches).toEqual([]);
  });

  it.each([
    [1e21, '1e+21'],
    [123456789, '1.23456789e+08'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [100000, '100000'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [-1234567, '-1.234567e+06'],
    [0.30000000000000004, '0.30000000000000004'],
    [1.0000000000000002, '1.0000000000000002'],
    [-0.00012, '-0.00012'],
    [120.5, '120.5'],
    [1e100, '1e+100'],
    [0, '0'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('formats %s as %s', (v, want) => {
    expect(formatGoFloat(v)).toBe(want);
  });
});

/** Every `[ts, "value"]` pair in the fixture API responses. */
function apiPoints(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      if (x.length === 2 && typeof x[0] === 'number' && typeof x[1] === 'string') out.push([String(x[0]), x[1]]);
      else x.forEach(visit);
    } else if (typeof x === 'object' && x !== null) Object.values(x).forEach(visit);
  };
  for (const f of ['expected-query-range-1y.json', 'expected-instant-rw_special-at-1700000040.json']) {
    visit(JSON.parse(readFileSync(join(fixturesDir, 'wal/main', f), 'utf8')));
  }
  return out;
}

describe('Prometheus API number formatting', () => {
  it('reproduces every value of the fixture query responses', () => {
    const points = apiPoints();
    expect(points.length).toBeGreaterThan(100);
    expect(points.filter(([, v]) => formatPromApiFloat(parseGoFloat(v)) !== v)).toEqual([]);
  });

  it.each([
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e-6, '0.000001'],
    [1e-7, '1e-07'],
    [123456789, '123456789'],
    [5e-324, '5e-324'],
    [-0, '-0'],
    [-1.5, '-1.5'],
    [Infinity, '+Inf'],
    [NaN, 'NaN'],
  ])('formats %s as %s', (v, want) => {
    expect(formatPromApiFloat(v)).toBe(want);
  });

  it('reproduces every timestamp of the fixture query responses', () => {
    const text = readFileSync(join(fixturesDir, 'wal/main/expected-query-range-1y.json'), 'utf8');
    const stamps = [...text.matchAll(/\[(-?[0-9.]+),"/g)].map((m) => m[1]);
    expect(stamps.length).toBeGreaterThan(100);
    expect(stamps.filter((s) => formatPromApiTimestamp(Math.round(Number(s) * 1000)) !== s)).toEqual([]);
  });

  it('writes timestamps as seconds with a 3-digit fraction', () => {
    expect(formatPromApiTimestamp(1700000000000)).toBe('1700000000');
    expect(formatPromApiTimestamp(1699997000001)).toBe('1699997000.001');
    expect(formatPromApiTimestamp(1700000000100)).toBe('1700000000.100');
    expect(formatPromApiTimestamp(-1500)).toBe('-1.500');
    expect(formatPromApiTimestamp(-86400000)).toBe('-86400');
    expect(formatPromApiTimestamp(0)).toBe('0');
  });
});
