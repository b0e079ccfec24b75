import { beforeAll, describe, expect, it } from 'vitest';
import { HashringConfigError, InsufficientNodesError, ReplicaOutOfRangeError } from './errors';
import { createSeriesHasher, type SeriesHasher } from './hasher';
import { KetamaHashring } from './ketama';
import type { Endpoint, Label } from './types';

const ep = (address: string, az = ''): Endpoint => ({ address, capnprotoAddress: '', az });
const series = (i: number): Label[] => [
  { name: '__name__', value: 'm' },
  { name: 'i', value: String(i) },
];

describe('KetamaHashring', () => {
  let hasher: SeriesHasher;
  beforeAll(async () => {
    hasher = await createSeriesHasher();
  });

  // Upstream's TestKetamaHashringGet (10 virtual points per endpoint, tenant "tenant", RF = n + 1).
  it.each<[string[], string, number, string]>([
    [['node-1', 'node-2', 'node-3'], 'nginx', 0, 'node-2'],
    [['node-1', 'node-2', 'node-3'], 'nginx', 1, 'node-1'],
    [['node-1', 'node-2', 'node-3'], 'nginx', 2, 'node-3'],
    [['node-1', 'node-3', 'node-2'], 'nginx', 2, 'node-3'],
    [['node-0', 'node-1', 'node-2', 'node-3'], 'nginx', 0, 'node-2'],
    [['node-1', 'node-2', 'node-3', 'node-4'], 'nginx', 0, 'node-2'],
    [['node-1', 'node-2', 'node-3'], 'thanos', 0, 'node-3'],
  ])('upstream case: %j pod=%s replica %i is %s', (addresses, pod, n, want) => {
    const ring = new KetamaHashring(
      addresses.map((a) => ep(a)),
      n + 1,
      hasher,
      10,
    );
    expect(ring.getN('tenant', [{ name: 'pod', value: pod }], n).address).toBe(want);
  });

  it('does not depend on endpoint order', () => {
    const a = new KetamaHashring([ep('a:1'), ep('b:1'), ep('c:1'), ep('d:1')], 3, hasher);
    const b = new KetamaHashring([ep('d:1'), ep('b:1'), ep('a:1'), ep('c:1')], 3, hasher);
    for (let i = 0; i < 200; i++) {
      for (let n = 0; n < 3; n++) expect(b.getN('t', series(i), n).address).toBe(a.getN('t', series(i), n).address);
    }
  });

  it('puts the replicas of a series on distinct endpoints in distinct zones when zones >= RF', () => {
    const endpoints = ['a', 'b', 'c', 'd'].flatMap((z) => [0, 1, 2].map((i) => ep(`r-${z}-${i}:1`, z)));
    const ring = new KetamaHashring(endpoints, 3, hasher);
    for (let i = 0; i < 300; i++) {
      const owners = [0, 1, 2].map((n) => ring.getN('t', series(i), n));
      expect(new Set(owners.map((o) => o.address)).size).toBe(3);
      expect(new Set(owners.map((o) => o.az)).size).toBe(3);
    }
  });

  it('spreads replicas as evenly as it can with fewer zones than RF', () => {
    const endpoints = ['a', 'b'].flatMap((z) => [0, 1, 2].map((i) => ep(`r-${z}-${i}:1`, z)));
    const ring = new KetamaHashring(endpoints, 3, hasher);
    for (let i = 0; i < 100; i++) {
      const owners = [0, 1, 2].map((n) => ring.getN('t', series(i), n));
      expect(new Set(owners.map((o) => o.address)).size).toBe(3);
      expect(new Set(owners.map((o) => o.az))).toEqual(new Set(['a', 'b']));
    }
  });

  it('refuses zones on which Thanos would never finish placing the replicas', () => {
    // Zone a (1 endpoint) caps zone b at 2 picks: 3 replicas at most, upstream loops forever for 4.
    const endpoints = [ep('a0:1', 'a'), ep('b0:1', 'b'), ep('b1:1', 'b'), ep('b2:1', 'b')];
    expect(() => new KetamaHashring(endpoints, 4, hasher)).toThrow(HashringConfigError);
    expect(() => new KetamaHashring(endpoints, 4, hasher)).toThrow(
      /availability zones \{a: 1, b: 3\} cannot hold 4 replicas .*at most 3/,
    );
    const ring = new KetamaHashring(endpoints, 3, hasher);
    expect(new Set([0, 1, 2].map((n) => ring.getN('t', series(1), n).address)).size).toBe(3);
  });

  it('refuses exactly the zone layouts on which the replica walk cannot finish', () => {
    // Oracle: Thanos's acceptance rule applied round-robin over the endpoints, bounded in laps.
    const walkFinishes = (zones: number[], rf: number): boolean => {
      const owners = zones.flatMap((size, z) => Array.from({ length: size }, () => z));
      const picks = zones.map(() => 0);
      const taken = owners.map(() => false);
      let chosen = 0;
      for (let step = 0; step < owners.length * (rf + 1) && chosen < rf; step++) {
        const e = step % owners.length;
        const z = owners[e];
        if (taken[e] || (zones.length > 1 && picks[z] > 0 && picks[z] > Math.min(...picks))) continue;
        taken[e] = true;
        picks[z]++;
        chosen++;
      }
      return chosen === rf;
    };
    const layouts = [
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 2],
      [1, 4],
      [2, 5],
      [1, 1, 3],
      [1, 2, 4],
      [3, 3, 1],
      [2, 2, 2],
    ];
    for (const zones of layouts) {
      const endpoints = zones.flatMap((size, z) => Array.from({ length: size }, (_, i) => ep(`z${z}-${i}:1`, `z${z}`)));
      for (let rf = 1; rf <= endpoints.length; rf++) {
        const build = () => new KetamaHashring(endpoints, rf, hasher, 5);
        if (walkFinishes(zones, rf)) expect(build, `zones ${zones} RF ${rf}`).not.toThrow();
        else expect(build, `zones ${zones} RF ${rf}`).toThrow(/cannot hold/);
      }
    }
  });

  it('counts endpoints without az as a zone of their own', () => {
    const endpoints = [ep('a0:1', 'a'), ep('n0:1'), ep('n1:1'), ep('n2:1')];
    expect(() => new KetamaHashring(endpoints, 4, hasher)).toThrow(/\{a: 1, \(no az\): 3\}/);
  });

  it('refuses more replicas than endpoints', () => {
    expect(() => new KetamaHashring([ep('a:1'), ep('b:1')], 3, hasher)).toThrow(
      /2 endpoint\(s\) cannot hold 3 replicas/,
    );
  });

  it('refuses replicas beyond the endpoints or the replication factor', () => {
    const ring = new KetamaHashring([ep('a:1'), ep('b:1'), ep('c:1')], 2, hasher);
    expect(() => ring.getN('t', [], 3)).toThrow(InsufficientNodesError);
    expect(() => ring.getN('t', [], 2)).toThrow(ReplicaOutOfRangeError);
  });

  it('wraps to the first point for a hash above every point', () => {
    const ring = new KetamaHashring([ep('a:1'), ep('b:1')], 1, hasher);
    expect(ring.firstPointAtOrAfter((1n << 64n) - 1n)).toBe(0);
    expect(ring.firstPointAtOrAfter(0n)).toBe(0);
  });
});
