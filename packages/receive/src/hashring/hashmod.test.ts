import { beforeAll, describe, expect, it } from 'vitest';
import { HashringConfigError, InsufficientNodesError } from './errors';
import { createSeriesHasher, type SeriesHasher } from './hasher';
import { HashmodHashring } from './hashmod';
import type { Endpoint } from './types';

const ep = (address: string, az = ''): Endpoint => ({ address, capnprotoAddress: '', az });

describe('HashmodHashring', () => {
  let hasher: SeriesHasher;
  beforeAll(async () => {
    hasher = await createSeriesHasher();
  });

  it('matches (hash + n) mod 2^64 mod len computed with BigInt, including wrap-around past 2^64', () => {
    const max = (1n << 64n) - 1n;
    const hashes = [
      0n,
      1n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 53n + 7n,
      max,
      max - 1n,
      max - 2n,
      max - 5n,
      0xffffffff00000000n,
    ];
    let seed = 12345n;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & max;
      hashes.push(seed);
    }
    for (const size of [1, 2, 3, 5, 7, 10, 33]) {
      const endpoints = Array.from({ length: size }, (_, i) => ep(`r${String(i).padStart(2, '0')}:10901`));
      const ring = new HashmodHashring(endpoints, hasher);
      for (const h of hashes) {
        for (let n = 0; n < size; n++) {
          const want = Number(((h + BigInt(n)) & max) % BigInt(size));
          expect(ring.getNForHash(h, n).address, `size ${size} hash ${h} n ${n}`).toBe(endpoints[want].address);
        }
      }
    }
  });

  it('orders endpoints by address whatever the configuration order', () => {
    const ring = new HashmodHashring([ep('c:1'), ep('a:1'), ep('b:1')], hasher);
    expect(ring.endpoints.map((e) => e.address)).toEqual(['a:1', 'b:1', 'c:1']);
    const labels = [{ name: '__name__', value: 'up' }];
    const owners = [0, 1, 2].map((n) => ring.getN('t', labels, n).address);
    expect(new Set(owners).size).toBe(3);
  });

  it('refuses a replica beyond the endpoints as Thanos does', () => {
    const ring = new HashmodHashring([ep('a:1'), ep('b:1')], hasher);
    expect(() => ring.getN('t', [], 2)).toThrow(InsufficientNodesError);
    expect(() => ring.getN('t', [], 2)).toThrow('insufficient nodes; have 2, want 3');
  });

  it('refuses availability zones', () => {
    expect(() => new HashmodHashring([ep('a:1', 'z1')], hasher)).toThrow(HashringConfigError);
    expect(() => new HashmodHashring([ep('a:1', 'z1')], hasher)).toThrow(/hashmod does not support availability zones/);
  });
});
