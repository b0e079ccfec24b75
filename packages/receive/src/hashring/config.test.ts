import { describe, expect, it } from 'vitest';
import { parseHashringsConfig } from './config';
import { HashringConfigError } from './errors';

const parse = (value: unknown) => parseHashringsConfig(JSON.stringify(value), 'hashrings.json');
const refusal = (text: string): string => {
  try {
    parseHashringsConfig(text, 'hashrings.json');
  } catch (err) {
    expect(err).toBeInstanceOf(HashringConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('parseHashringsConfig', () => {
  it('reads the example of the Thanos documentation', () => {
    const { hashrings, warnings } = parse([
      { hashring: 'tenant-a', tenants: ['tenant-a'], endpoints: ['r0:10901', 'r1:10901', 'r2:10901'] },
      {
        hashring: 'teams',
        tenants: ['team-*'],
        tenant_matcher_type: 'glob',
        algorithm: 'ketama',
        endpoints: [
          { address: 'r3:10901', az: 'eu-1a' },
          { address: 'r4:10901', az: 'eu-1b', capnproto_address: 'r4-capnp:7000' },
          { address: 'r5:10901', az: 'eu-1c' },
        ],
        external_labels: { team_ring: '1', a_label: 'x' },
      },
      { hashring: 'default', endpoints: ['r6:10901', 'r7:10901'] },
    ]);
    expect(warnings).toEqual([]);
    expect(hashrings).toHaveLength(3);
    expect(hashrings[0]).toMatchObject({
      name: 'tenant-a',
      tenants: ['tenant-a'],
      tenantMatcherType: 'exact',
      algorithm: undefined,
      externalLabels: [],
      shuffleSharding: undefined,
    });
    expect(hashrings[0].endpoints[1]).toEqual({ address: 'r1:10901', capnprotoAddress: 'r1:19391', az: '' });
    expect(hashrings[1]).toMatchObject({
      name: 'teams',
      tenants: ['team-*'],
      tenantMatcherType: 'glob',
      algorithm: 'ketama',
    });
    expect(hashrings[1].endpoints).toEqual([
      { address: 'r3:10901', capnprotoAddress: 'r3:19391', az: 'eu-1a' },
      { address: 'r4:10901', capnprotoAddress: 'r4-capnp:7000', az: 'eu-1b' },
      { address: 'r5:10901', capnprotoAddress: 'r5:19391', az: 'eu-1c' },
    ]);
    expect(hashrings[1].externalLabels).toEqual([
      { name: 'a_label', value: 'x' },
      { name: 'team_ring', value: '1' },
    ]);
    expect(hashrings[2]).toMatchObject({ name: 'default', tenants: [] });
  });

  it('reads shuffle sharding settings with Thanos defaults', () => {
    const [ring] = parse([
      {
        endpoints: ['a:1'],
        algorithm: 'ketama',
        shuffle_sharding_config: {
          shard_size: 2,
          overrides: [{ shard_size: 3, tenants: ['big-*'], tenant_matcher_type: 'glob' }],
        },
      },
    ]).hashrings;
    expect(ring.shuffleSharding).toEqual({
      shardSize: 2,
      cacheSize: 100,
      zoneAwarenessDisabled: false,
      overrides: [{ shardSize: 3, tenants: ['big-*'], tenantMatcherType: 'glob' }],
    });
  });

  it('reads keys case-insensitively and null as absent, as Go encoding/json does', () => {
    const [ring] = parse([{ Hashring: 'x', TENANTS: null, Endpoints: [{ Address: 'a:1', az: null }] }]).hashrings;
    expect(ring).toMatchObject({ name: 'x', tenants: [], endpoints: [{ address: 'a:1', az: '' }] });
  });

  it('warns about unknown fields instead of failing', () => {
    const { warnings } = parse([{ hashring: 'x', tenant: ['a'], endpoints: [{ address: 'a:1', zone: 'z' }] }]);
    expect(warnings).toEqual([
      'hashrings.json: hashring #1 ("x"): unknown field "tenant" ignored',
      'hashrings.json: hashring #1 ("x"): endpoint #1: unknown field "zone" ignored',
    ]);
  });

  it('refuses malformed JSON, naming line and column', () => {
    expect(refusal('[\n  {"endpoints": ["a:1",]}\n]')).toBe(
      `hashrings.json: invalid JSON at line 2, column 24 (offset 25): expected a value, found "]"`,
    );
    expect(refusal('[{"endpoints": ["a:1"]}')).toMatch(
      /line 1, column 24 \(offset 23\): expected ',' or '\]', found end of input/,
    );
    expect(refusal('[{endpoints: []}]')).toMatch(/line 1, column 3 .*expected a double-quoted property name/);
    expect(refusal('[] []')).toMatch(/line 1, column 4 .*unexpected data after the JSON value/);
    expect(refusal('')).toMatch(/line 1, column 1 .*expected a value, found end of input/);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an array', { endpoints: ['a:1'] }, /hashrings.json: expected a JSON array of hashrings/],
    ['an empty array', [], /configuration file is empty/],
    ['a ring that is not an object', ['a:1'], /hashring #1: expected an object, got string "a:1"/],
    ['missing endpoints', [{ hashring: 'x' }], /hashring #1 \("x"\): "endpoints" is required/],
    ['empty endpoints', [{ endpoints: [] }], /hashring #1: "endpoints" is empty/],
    [
      'duplicate endpoints',
      [{ endpoints: ['a:1'] }, { hashring: 'y', endpoints: ['a:1', { address: 'b:1' }, { address: 'a:1' }] }],
      /hashring #2 \("y"\): endpoint "a:1" is listed twice \(endpoints #1 and #3\)/,
    ],
    [
      'an endpoint without address',
      [{ endpoints: [{ az: 'z' }] }],
      /hashring #1: endpoint #1: endpoint address must be set/,
    ],
    ['an endpoint of the wrong type', [{ endpoints: [42] }], /endpoint #1: expected an object, got number 42/],
    [
      'an unknown algorithm',
      [{ endpoints: ['a:1'], algorithm: 'rendezvous' }],
      /unknown algorithm "rendezvous" \(expected one of hashmod, ketama\)/,
    ],
    [
      'an unknown matcher type',
      [{ endpoints: ['a:1'], tenants: ['a'], tenant_matcher_type: 'regex' }],
      /unknown tenant_matcher_type "regex"/,
    ],
    [
      'a malformed glob',
      [{ endpoints: ['a:1'], tenants: ['team-[a'], tenant_matcher_type: 'glob' }],
      /tenant syntax error in pattern "team-\[a": unterminated character class/,
    ],
    ['tenants that are not strings', [{ endpoints: ['a:1'], tenants: [1] }], /"tenants" must be an array of strings/],
    [
      'a non-string external label',
      [{ endpoints: ['a:1'], external_labels: { a: 1 } }],
      /external label "a" must be a string, got number 1/,
    ],
    [
      'a negative shard size',
      [{ endpoints: ['a:1'], shuffle_sharding_config: { shard_size: -1 } }],
      /shuffle_sharding_config: "shard_size" must be a non-negative integer/,
    ],
  ])('refuses %s', (_what, value, message) => {
    expect(refusal(JSON.stringify(value))).toMatch(message);
  });
});
