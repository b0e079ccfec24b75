import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '@thanos-ts/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSeriesHasher, type SeriesHasher } from './hasher';
import { HashmodHashring } from './hashmod';
import { KetamaHashring } from './ketama';
import type { Endpoint, Hashring, Label } from './types';

interface GoldenResult {
  hashring: string;
  algorithm: 'hashmod' | 'ketama';
  replication_factor: number;
  endpoints: string[];
  ketama_section_index?: number;
}
interface GoldenVectors {
  hashrings: { name: string; endpoints: { address: string; az?: string }[] }[];
  vectors: { tenant: string; labels: Label[]; hash_with_prefix_dec: string; results: GoldenResult[] }[];
  ketama_section_hash_samples: { input: string; xxh64_dec: string }[];
}

const golden: GoldenVectors = JSON.parse(
  readFileSync(join(sharedDir, 'spec', 'hashring-golden', 'vectors.json'), 'utf8'),
);

const endpointsOf = (name: string): Endpoint[] =>
  golden.hashrings
    .find((r) => r.name === name)!
    .endpoints.map((e) => ({ address: e.address, capnprotoAddress: '', az: e.az ?? '' }));

describe('Thanos hashring golden vectors', () => {
  let hasher: SeriesHasher;
  const rings = new Map<string, Hashring>();
  const ringFor = (r: GoldenResult): Hashring => {
    const key = `${r.hashring}/${r.algorithm}/${r.replication_factor}`;
    let ring = rings.get(key);
    if (!ring) {
      const endpoints = endpointsOf(r.hashring);
      ring =
        r.algorithm === 'hashmod'
          ? new HashmodHashring(endpoints, hasher)
          : new KetamaHashring(endpoints, r.replication_factor, hasher);
      rings.set(key, ring);
    }
    return ring;
  };

  beforeAll(async () => {
    hasher = await createSeriesHasher();
  });

  it('hashes virtual-point strings like Go xxhash.Sum64String', () => {
    for (const s of golden.ketama_section_hash_samples) {
      expect(hasher.hashString(s.input), s.input).toBe(BigInt(s.xxh64_dec));
    }
  });

  it('computes the series hash of every vector', () => {
    const mismatches = golden.vectors
      .filter((v) => hasher.hash(v.tenant, v.labels) !== BigInt(v.hash_with_prefix_dec))
      .map((v) => `${v.tenant} ${JSON.stringify(v.labels)}`);
    expect(mismatches).toEqual([]);
  });

  it('picks the same owners as Thanos for every vector, ring, algorithm and replication factor', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const v of golden.vectors) {
      for (const r of v.results) {
        const ring = ringFor(r);
        const got = Array.from({ length: r.replication_factor }, (_, n) => ring.getN(v.tenant, v.labels, n).address);
        if (r.ketama_section_index !== undefined) {
          const point = (ring as KetamaHashring).firstPointAtOrAfter(hasher.hash(v.tenant, v.labels));
          if (point !== r.ketama_section_index) {
            mismatches.push(
              `${v.tenant} ${JSON.stringify(v.labels)} ${r.hashring}/${r.algorithm}: point ${point}, want ${r.ketama_section_index}`,
            );
          }
        }
        if (got.join(',') !== r.endpoints.join(',')) {
          mismatches.push(
            `${v.tenant} ${JSON.stringify(v.labels)} ${r.hashring}/${r.algorithm}/RF${r.replication_factor}: got [${got}] want [${r.endpoints}]`,
          );
        }
        checked++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(22 * 10);
  });
});
