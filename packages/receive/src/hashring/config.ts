import { HashringConfigError } from './errors';
import { GlobPattern } from './glob';
import { parseJsonWithPosition } from './json-source';
import { HASHRING_ALGORITHMS, type Endpoint, type HashringAlgorithm, type Label } from './types';

/** Port of the Cap'n Proto replication server, used when an endpoint gives none. */
export const DEFAULT_CAPNPROTO_PORT = '19391';

export type TenantMatcherType = 'exact' | 'glob';

export interface ShuffleShardingOverride {
  shardSize: number;
  tenants: string[];
  tenantMatcherType: TenantMatcherType;
}

export interface ShuffleShardingConfig {
  /** 0 disables shuffle sharding. */
  shardSize: number;
  cacheSize: number;
  zoneAwarenessDisabled: boolean;
  overrides: ShuffleShardingOverride[];
}

/** One entry of the hashrings file, validated and with defaults applied. */
export interface HashringConfig {
  /** `hashring`; `''` when absent. */
  name: string;
  /** Empty: the default ring, matching every tenant. */
  tenants: string[];
  tenantMatcherType: TenantMatcherType;
  endpoints: Endpoint[];
  /** `undefined`: use the `--receive.hashrings-algorithm` default. */
  algorithm: HashringAlgorithm | undefined;
  /** Sorted by name. */
  externalLabels: Label[];
  shuffleSharding: ShuffleShardingConfig | undefined;
}

export interface ParsedHashrings {
  hashrings: HashringConfig[];
  /** Problems that do not stop the file from loading (unknown fields, as Thanos ignores them). */
  warnings: string[];
}

type JsonObject = Record<string, unknown>;

/**
 * Parses the Thanos hashrings JSON (`--receive.hashrings-file` content or `--receive.hashrings`).
 * `source` names the origin in error messages. Refuses what Thanos would accept but then
 * route wrongly or fail on at write time: empty or duplicate endpoints, unknown algorithms
 * or matcher types, malformed glob patterns.
 */
export function parseHashringsConfig(text: string, source = 'hashrings config'): ParsedHashrings {
  const json = parseJsonWithPosition(text, source);
  if (!Array.isArray(json)) throw new HashringConfigError(`${source}: expected a JSON array of hashrings`);
  if (json.length === 0) throw new HashringConfigError(`${source}: configuration file is empty (no hashrings)`);
  const warnings: string[] = [];
  const hashrings = json.map((entry, i) => {
    const reader = new FieldReader(entry, `${source}: hashring #${i + 1}`, warnings);
    return reader.hashring();
  });
  return { hashrings, warnings };
}

const HASHRING_FIELDS = [
  'hashring',
  'tenants',
  'tenant_matcher_type',
  'endpoints',
  'algorithm',
  'external_labels',
  'shuffle_sharding_config',
];
const ENDPOINT_FIELDS = ['address', 'capnproto_address', 'az'];
const SHUFFLE_FIELDS = ['shard_size', 'cache_size', 'zone_awareness_disabled', 'overrides'];
const OVERRIDE_FIELDS = ['shard_size', 'tenants', 'tenant_matcher_type'];

/**
 * Reads the fields of one JSON object the way Go's encoding/json does: keys match exactly or
 * else case-insensitively, `null` means absent, unknown keys are ignored (with a warning).
 */
class FieldReader {
  private readonly obj: JsonObject;

  constructor(
    value: unknown,
    private context: string,
    private readonly warnings: string[],
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HashringConfigError(`${context}: expected an object, got ${describe(value)}`);
    }
    this.obj = value as JsonObject;
  }

  hashring(): HashringConfig {
    const name = this.string('hashring') ?? '';
    if (name !== '') this.context += ` (${JSON.stringify(name)})`;
    this.checkKnown(HASHRING_FIELDS);
    const tenants = this.stringArray('tenants');
    const tenantMatcherType = this.matcherType(tenants);
    const algorithm = this.algorithm();
    return {
      name,
      tenants,
      tenantMatcherType,
      endpoints: this.endpoints(),
      algorithm,
      externalLabels: this.externalLabels(),
      shuffleSharding: this.shuffleSharding(),
    };
  }

  private endpoints(): Endpoint[] {
    const list = this.get('endpoints');
    if (list === undefined) throw this.error('"endpoints" is required');
    if (!Array.isArray(list)) throw this.error(`"endpoints" must be an array, got ${describe(list)}`);
    if (list.length === 0) throw this.error('"endpoints" is empty: a hashring needs at least one endpoint');
    const firstIndex = new Map<string, number>();
    return list.map((entry, i) => {
      const endpoint = this.endpoint(entry, i);
      const previous = firstIndex.get(endpoint.address);
      if (previous !== undefined) {
        throw this.error(
          `endpoint ${JSON.stringify(endpoint.address)} is listed twice (endpoints #${previous + 1} and #${i + 1})`,
        );
      }
      firstIndex.set(endpoint.address, i);
      return endpoint;
    });
  }

  private endpoint(entry: unknown, i: number): Endpoint {
    const context = `${this.context}: endpoint #${i + 1}`;
    let address: string;
    let capnprotoAddress = '';
    let az = '';
    if (typeof entry === 'string') {
      address = entry;
    } else {
      const reader = new FieldReader(entry, context, this.warnings);
      reader.checkKnown(ENDPOINT_FIELDS);
      address = reader.string('address') ?? '';
      capnprotoAddress = reader.string('capnproto_address') ?? '';
      az = reader.string('az') ?? '';
    }
    if (address === '') throw new HashringConfigError(`${context}: endpoint address must be set`);
    if (capnprotoAddress === '') {
      const colon = address.indexOf(':');
      capnprotoAddress = `${colon < 0 ? address : address.slice(0, colon)}:${DEFAULT_CAPNPROTO_PORT}`;
    }
    return { address, capnprotoAddress, az };
  }

  private matcherType(tenants: string[], key = 'tenant_matcher_type'): TenantMatcherType {
    const type = this.string(key) ?? '';
    if (type === '' || type === 'exact') return 'exact';
    if (type !== 'glob') throw this.error(`unknown ${key} ${JSON.stringify(type)} (expected "exact" or "glob")`);
    for (const pattern of tenants) {
      try {
        new GlobPattern(pattern);
      } catch (err) {
        throw this.error(`tenant ${(err as Error).message}`);
      }
    }
    return 'glob';
  }

  private algorithm(): HashringAlgorithm | undefined {
    const algorithm = this.string('algorithm') ?? '';
    if (algorithm === '') return undefined;
    if (!(HASHRING_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw this.error(
        `unknown algorithm ${JSON.stringify(algorithm)} (expected one of ${HASHRING_ALGORITHMS.join(', ')})`,
      );
    }
    return algorithm as HashringAlgorithm;
  }

  private externalLabels(): Label[] {
    const value = this.get('external_labels');
    if (value === undefined) return [];
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw this.error(`"external_labels" must be an object of label names to values, got ${describe(value)}`);
    }
    return Object.entries(value as JsonObject)
      .map(([name, v]) => {
        if (typeof v !== 'string')
          throw this.error(`external label ${JSON.stringify(name)} must be a string, got ${describe(v)}`);
        return { name, value: v };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private shuffleSharding(): ShuffleShardingConfig | undefined {
    if (this.get('shuffle_sharding_config') === undefined) return undefined;
    const reader = new FieldReader(
      this.get('shuffle_sharding_config'),
      `${this.context}: shuffle_sharding_config`,
      this.warnings,
    );
    reader.checkKnown(SHUFFLE_FIELDS);
    const overrides = reader.get('overrides') ?? [];
    if (!Array.isArray(overrides)) throw reader.error(`"overrides" must be an array, got ${describe(overrides)}`);
    return {
      shardSize: reader.count('shard_size'),
      cacheSize: reader.count('cache_size') || 100,
      zoneAwarenessDisabled: reader.boolean('zone_awareness_disabled'),
      overrides: overrides.map((entry, i) => {
        const override = new FieldReader(entry, `${reader.context}: override #${i + 1}`, this.warnings);
        override.checkKnown(OVERRIDE_FIELDS);
        const tenants = override.stringArray('tenants');
        return {
          shardSize: override.count('shard_size'),
          tenants,
          tenantMatcherType: override.matcherType(tenants),
        };
      }),
    };
  }

  private get(key: string): unknown {
    if (key in this.obj) return this.obj[key] ?? undefined;
    const folded = key.toLowerCase();
    const match = Object.keys(this.obj).find((k) => k.toLowerCase() === folded);
    return match === undefined ? undefined : (this.obj[match] ?? undefined);
  }

  private checkKnown(fields: string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!fields.includes(key.toLowerCase()))
        this.warnings.push(`${this.context}: unknown field ${JSON.stringify(key)} ignored`);
    }
  }

  private string(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === 'string') return value;
    throw this.error(`"${key}" must be a string, got ${describe(value)}`);
  }

  private stringArray(key: string): string[] {
    const value = this.get(key) ?? [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw this.error(`"${key}" must be an array of strings, got ${describe(value)}`);
    }
    return value as string[];
  }

  private count(key: string): number {
    const value = this.get(key) ?? 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw this.error(`"${key}" must be a non-negative integer, got ${describe(value)}`);
    }
    return value;
  }

  private boolean(key: string): boolean {
    const value = this.get(key) ?? false;
    if (typeof value !== 'boolean') throw this.error(`"${key}" must be true or false, got ${describe(value)}`);
    return value;
  }

  private error(message: string): HashringConfigError {
    return new HashringConfigError(`${this.context}: ${message}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
