import type { HashringConfig } from './config';
import { HashringConfigError, NoMatchingHashringError } from './errors';
import { GlobPattern } from './glob';
import type { SeriesHasher } from './hasher';
import { HashmodHashring } from './hashmod';
import { KetamaHashring } from './ketama';
import { SingleNodeHashring } from './single-node';
import { endpointHasAddress, type Endpoint, type Hashring, type HashringAlgorithm, type Label } from './types';

export interface HashringBuildOptions {
  /** `--receive.replication-factor`. */
  replicationFactor: number;
  /** `--receive.hashrings-algorithm`, for rings without `algorithm`; default `hashmod`. */
  defaultAlgorithm?: HashringAlgorithm;
}

/** A ring and the tenants it serves. */
interface TenantRoute {
  ring: Hashring;
  /** `undefined`: default ring, every tenant matches. */
  matches: ((tenant: string) => boolean) | undefined;
}

/** Tenants remembered by `ringFor`; past this the memory is dropped (random tenant names must not grow it forever). */
const TENANT_CACHE_LIMIT = 65_536;

/**
 * The hashrings of one configuration: picks the ring of a tenant (first matching ring in
 * configuration order; a ring without tenants matches all) and the owners of its series.
 */
export class MultiHashring {
  private readonly tenantRings = new Map<string, Hashring>();

  private constructor(
    private readonly routes: readonly TenantRoute[],
    /** The configuration the rings were built from (empty for a single-node ring). */
    readonly configs: readonly HashringConfig[],
  ) {}

  /**
   * Builds every ring of `configs`. Refuses (with the ring named) a ring whose endpoints,
   * or availability zones for ketama, cannot hold `replicationFactor` distinct replicas.
   */
  static build(
    configs: readonly HashringConfig[],
    options: HashringBuildOptions,
    hasher: SeriesHasher,
  ): { hashring: MultiHashring; warnings: string[] } {
    const warnings: string[] = [];
    const routes = configs.map((config, i) => {
      const context = `hashring #${i + 1}${config.name === '' ? '' : ` (${JSON.stringify(config.name)})`}`;
      return { ring: buildRing(config, options, hasher, context, warnings), matches: tenantMatcher(config) };
    });
    return { hashring: new MultiHashring(routes, configs), warnings };
  }

  /** Ingestor-only: one default ring whose only endpoint is the local one. */
  static singleNode(localEndpoint: string): MultiHashring {
    return new MultiHashring([{ ring: new SingleNodeHashring(localEndpoint), matches: undefined }], []);
  }

  /** The ring serving `tenant`; throws `NoMatchingHashringError` when none does. */
  ringFor(tenant: string): Hashring {
    const cached = this.tenantRings.get(tenant);
    if (cached !== undefined) return cached;
    const route = this.routes.find((r) => r.matches === undefined || r.matches(tenant));
    if (route === undefined) throw new NoMatchingHashringError(tenant);
    if (this.tenantRings.size >= TENANT_CACHE_LIMIT) this.tenantRings.clear();
    this.tenantRings.set(tenant, route.ring);
    return route.ring;
  }

  /** The owner of replica `n` of a series of `tenant`. */
  getN(tenant: string, labels: readonly Label[], n: number): Endpoint {
    return this.ringFor(tenant).getN(tenant, labels, n);
  }

  /**
   * Extra external labels of a tenant: those of the first ring that lists the tenant literally
   * in `tenants` (glob patterns are compared as plain strings, as Thanos does).
   */
  externalLabelsFor(tenant: string): readonly Label[] {
    return this.configs.find((c) => c.tenants.includes(tenant))?.externalLabels ?? [];
  }

  /** Every endpoint of every ring, once per address, sorted by address. */
  get endpoints(): Endpoint[] {
    const byAddress = new Map<string, Endpoint>();
    for (const { ring } of this.routes)
      for (const ep of ring.endpoints) if (!byAddress.has(ep.address)) byAddress.set(ep.address, ep);
    return [...byAddress.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** Whether some ring has an endpoint with this gRPC or Cap'n Proto address. */
  hasEndpoint(address: string): boolean {
    return this.routes.some(({ ring }) => ring.endpoints.some((ep) => endpointHasAddress(ep, address)));
  }
}

function tenantMatcher(config: HashringConfig): TenantRoute['matches'] {
  if (config.tenants.length === 0) return undefined;
  if (config.tenantMatcherType === 'exact') {
    const tenants = new Set(config.tenants);
    return (tenant) => tenants.has(tenant);
  }
  const patterns = config.tenants.map((p) => new GlobPattern(p));
  return (tenant) => patterns.some((p) => p.matches(tenant));
}

function buildRing(
  config: HashringConfig,
  options: HashringBuildOptions,
  hasher: SeriesHasher,
  context: string,
  warnings: string[],
): Hashring {
  const rf = options.replicationFactor;
  const algorithm = config.algorithm ?? options.defaultAlgorithm ?? 'hashmod';
  const fail = (message: string): never => {
    throw new HashringConfigError(`${context}: ${message}`);
  };
  if (!Number.isSafeInteger(rf) || rf < 1) fail(`replication factor must be a positive integer, got ${rf}`);
  if (config.endpoints.length < rf) {
    fail(
      `replication factor ${rf} needs at least ${rf} endpoints, the ring has ${config.endpoints.length}: ` +
        'add endpoints or lower --receive.replication-factor',
    );
  }
  if ((config.shuffleSharding?.shardSize ?? 0) > 0) {
    fail(
      algorithm === 'hashmod'
        ? 'hashmod algorithm does not support shuffle sharding: use algorithm "ketama" or remove shuffle_sharding_config'
        : 'shuffle sharding (shuffle_sharding_config.shard_size > 0) is not supported by thanos-ts yet',
    );
  }
  try {
    if (algorithm === 'hashmod') return new HashmodHashring(config.endpoints, hasher);
    const zones = new Set(config.endpoints.map((ep) => ep.az));
    if (zones.size > 1 && zones.size < rf) {
      warnings.push(
        `${context}: ${zones.size} availability zones for replication factor ${rf}: some series will have several replicas in one zone`,
      );
    }
    return new KetamaHashring(config.endpoints, rf, hasher);
  } catch (err) {
    if (err instanceof HashringConfigError) fail(err.message);
    throw err;
  }
}
