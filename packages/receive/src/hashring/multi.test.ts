import { beforeAll, describe, expect, it } from 'vitest';
import { parseHashringsConfig } from './config';
import { HashringConfigError, InsufficientNodesError, NoMatchingHashringError } from './errors';
import { createSeriesHasher, type SeriesHasher } from './hasher';
import { HashmodHashring } from './hashmod';
import { KetamaHashring } from './ketama';
import { loadHashrings } from './load';
import { MultiHashring, type HashringBuildOptions } from './multi';

describe('MultiHashring', () => {
  let hasher: SeriesHasher;
  beforeAll(async () => {
    hasher = await createSeriesHasher();
  });
  const build = (value: unknown, options: HashringBuildOptions = { replicationFactor: 1 }) =>
    MultiHashring.build(parseHashringsConfig(JSON.stringify(value)).hashrings, options, hasher);
  const refusal = (value: unknown, options: HashringBuildOptions): string => {
    expect(() => build(value, options)).toThrow(HashringConfigError);
    try {
      build(value, options);
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };

  const rings = [
    { hashring: 'exact', tenants: ['tenant-a', 'team-a'], endpoints: ['e0:1'] },
    { hashring: 'teams', tenants: ['team-*', 'squad-?'], tenant_matcher_type: 'glob', endpoints: ['g0:1'] },
    { hashring: 'default', endpoints: ['d0:1'] },
    { hashring: 'never', tenants: ['late'], endpoints: ['n0:1'] },
  ];

  it('routes a tenant to the first matching ring in configuration order', () => {
    const { hashring } = build(rings);
    const ownerOf = (tenant: string) => hashring.getN(tenant, [{ name: '__name__', value: 'up' }], 0).address;
    expect(ownerOf('tenant-a')).toBe('e0:1');
    expect(ownerOf('team-a')).toBe('e0:1'); // exact ring listed before the glob ring
    expect(ownerOf('team-b')).toBe('g0:1');
    expect(ownerOf('squad-1')).toBe('g0:1');
    expect(ownerOf('squad-12')).toBe('d0:1');
    expect(ownerOf('other')).toBe('d0:1');
    expect(ownerOf('late')).toBe('d0:1'); // the default ring comes first and swallows it
    expect(hashring.ringFor('team-b')).toBe(hashring.ringFor('team-c'));
  });

  it('refuses a tenant no ring matches', () => {
    const { hashring } = build(rings.filter((r) => r.hashring !== 'default'));
    expect(() => hashring.ringFor('other')).toThrow(NoMatchingHashringError);
    expect(() => hashring.ringFor('other')).toThrow('no matching hashring to handle tenant "other"');
  });

  it('uses the algorithm of the ring, else the default one', () => {
    const value = [
      { tenants: ['a'], endpoints: ['a:1'] },
      { tenants: ['b'], algorithm: 'hashmod', endpoints: ['b:1'] },
      { algorithm: 'ketama', endpoints: ['c:1'] },
    ];
    const { hashring } = build(value, { replicationFactor: 1, defaultAlgorithm: 'ketama' });
    expect(hashring.ringFor('a')).toBeInstanceOf(KetamaHashring);
    expect(hashring.ringFor('b')).toBeInstanceOf(HashmodHashring);
    expect(hashring.ringFor('c')).toBeInstanceOf(KetamaHashring);
    expect(build(value).hashring.ringFor('a')).toBeInstanceOf(HashmodHashring);
  });

  it('gives the external labels of the first ring listing the tenant literally', () => {
    const { hashring } = build([
      { tenants: ['a'], endpoints: ['x:1'], external_labels: { ring: 'one' } },
      {
        tenants: ['a', 'b', 'team-*'],
        tenant_matcher_type: 'glob',
        endpoints: ['y:1'],
        external_labels: { ring: 'two' },
      },
    ]);
    expect(hashring.externalLabelsFor('a')).toEqual([{ name: 'ring', value: 'one' }]);
    expect(hashring.externalLabelsFor('b')).toEqual([{ name: 'ring', value: 'two' }]);
    expect(hashring.externalLabelsFor('team-*')).toEqual([{ name: 'ring', value: 'two' }]);
    expect(hashring.externalLabelsFor('team-x')).toEqual([]);
  });

  it("lists every endpoint once and finds the local one by gRPC or Cap'n Proto address", () => {
    const { hashring } = build([
      { tenants: ['a'], endpoints: ['b:1', 'a:1'] },
      { endpoints: [{ address: 'a:1' }, { address: 'c:1', capnproto_address: 'c:2' }] },
    ]);
    expect(hashring.endpoints.map((e) => e.address)).toEqual(['a:1', 'b:1', 'c:1']);
    expect(hashring.hasEndpoint('c:2')).toBe(true);
    expect(hashring.hasEndpoint('c:1')).toBe(true);
    expect(hashring.hasEndpoint('a:19391')).toBe(true);
    expect(hashring.hasEndpoint('d:1')).toBe(false);
  });

  it.each(['hashmod', 'ketama'] as const)(
    'refuses a %s ring with fewer endpoints than the replication factor',
    (algorithm) => {
      expect(
        refusal([{ endpoints: ['a:1', 'b:1', 'c:1'] }, { hashring: 'small', algorithm, endpoints: ['a:1', 'b:1'] }], {
          replicationFactor: 3,
        }),
      ).toBe(
        'hashring #2 ("small"): replication factor 3 needs at least 3 endpoints, the ring has 2: add endpoints or lower --receive.replication-factor',
      );
    },
  );

  it('refuses AZ-aware ketama zones that cannot hold the replicas', () => {
    const endpoints = [{ address: 'a0:1', az: 'a' }, ...[0, 1, 2].map((i) => ({ address: `b${i}:1`, az: 'b' }))];
    expect(refusal([{ hashring: 'az', algorithm: 'ketama', endpoints }], { replicationFactor: 4 })).toMatch(
      /^hashring #1 \("az"\): ketama: availability zones \{a: 1, b: 3\} cannot hold 4 replicas/,
    );
  });

  it('warns when zones are fewer than the replication factor but the ring works', () => {
    const endpoints = ['a', 'b'].flatMap((az) => [0, 1].map((i) => ({ address: `${az}${i}:1`, az })));
    const { warnings } = build([{ hashring: 'two-zones', algorithm: 'ketama', endpoints }], { replicationFactor: 3 });
    expect(warnings).toEqual([
      'hashring #1 ("two-zones"): 2 availability zones for replication factor 3: some series will have several replicas in one zone',
    ]);
  });

  it('refuses availability zones with hashmod and shuffle sharding it cannot reproduce', () => {
    expect(refusal([{ endpoints: [{ address: 'a:1', az: 'z' }] }], { replicationFactor: 1 })).toMatch(
      /^hashring #1: hashmod does not support availability zones/,
    );
    expect(
      refusal([{ endpoints: ['a:1'], shuffle_sharding_config: { shard_size: 1 } }], { replicationFactor: 1 }),
    ).toMatch(/hashmod algorithm does not support shuffle sharding/);
    expect(
      refusal([{ algorithm: 'ketama', endpoints: ['a:1'], shuffle_sharding_config: { shard_size: 1 } }], {
        replicationFactor: 1,
      }),
    ).toMatch(/shuffle sharding .* is not supported by thanos-ts yet/);
  });

  it('refuses a replication factor that is not a positive integer', () => {
    expect(refusal([{ endpoints: ['a:1'] }], { replicationFactor: 0 })).toMatch(
      /replication factor must be a positive integer, got 0/,
    );
  });

  it('serves everything from the local endpoint without configuration (ingestor-only)', () => {
    const hashring = MultiHashring.singleNode('127.0.0.1:10901');
    expect(hashring.getN('any', [], 0).address).toBe('127.0.0.1:10901');
    expect(() => hashring.getN('any', [], 1)).toThrow(InsufficientNodesError);
    expect(() => hashring.getN('any', [], 1)).toThrow('insufficient nodes; have 1, want 2');
    expect(hashring.hasEndpoint('127.0.0.1:10901')).toBe(true);
  });

  it('loads text in one step and names the source in errors', () => {
    const loaded = loadHashrings(
      '[{"endpoints": ["a:1", "b:1"]}]',
      '--receive.hashrings',
      { replicationFactor: 2 },
      hasher,
    );
    expect(loaded.configs).toHaveLength(1);
    expect(loaded.hashring.getN('t', [], 1).address).toMatch(/^[ab]:1$/);
    expect(() => loadHashrings('[{"endpoints": ["a:1"]}]', 'rings.json', { replicationFactor: 2 }, hasher)).toThrow(
      /^rings\.json: hashring #1: replication factor 2 needs at least 2 endpoints/,
    );
  });
});
