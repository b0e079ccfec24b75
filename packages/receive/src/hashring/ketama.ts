import { HashringConfigError, InsufficientNodesError, ReplicaOutOfRangeError } from './errors';
import type { SeriesHasher } from './hasher';
import type { Endpoint, Hashring, Label } from './types';
import { U64Splitter } from './u64';

/** Virtual points per endpoint (Thanos `SectionsPerNode`). */
export const KETAMA_SECTIONS_PER_NODE = 1000;

/**
 * Thanos `ketama`: every endpoint owns `sectionsPerNode` points `XXH64("<address>:<i>")` on a
 * ring; a series belongs to the first point at or after its hash, and its replicas to the next
 * distinct endpoints clockwise, spread over availability zones. Owners of replicas
 * 0..RF-1 are precomputed per point, so a lookup is one binary search.
 */
export class KetamaHashring implements Hashring {
  /** Sorted point hashes, high and low 32 bits. */
  private readonly pointHi: Uint32Array;
  private readonly pointLo: Uint32Array;
  /** `owners[p * RF + n]` = index in `endpoints` of replica n for point p. */
  private readonly owners: Uint32Array;
  private readonly parts = new U64Splitter();

  constructor(
    readonly endpoints: readonly Endpoint[],
    readonly replicationFactor: number,
    private readonly hasher: SeriesHasher,
    sectionsPerNode = KETAMA_SECTIONS_PER_NODE,
  ) {
    if (endpoints.length === 0) throw new HashringConfigError('ketama: a hashring needs at least one endpoint');
    if (endpoints.length < replicationFactor) {
      throw new HashringConfigError(
        `ketama: ${endpoints.length} endpoint(s) cannot hold ${replicationFactor} replicas: the replication factor must not exceed the number of endpoints`,
      );
    }
    checkZoneCapacity(endpoints, replicationFactor);

    const count = endpoints.length * sectionsPerNode;
    const hi = new Uint32Array(count);
    const lo = new Uint32Array(count);
    const owner = new Uint32Array(count);
    const { parts } = this;
    for (let e = 0, p = 0; e < endpoints.length; e++) {
      for (let i = 1; i <= sectionsPerNode; i++, p++) {
        parts.split(hasher.hashString(`${endpoints[e].address}:${i}`));
        hi[p] = parts.hi;
        lo[p] = parts.lo;
        owner[p] = e;
      }
    }
    const order = new Uint32Array(count).map((_, i) => i).sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b]);
    this.pointHi = order.map((i) => hi[i]);
    this.pointLo = order.map((i) => lo[i]);
    this.owners = replicaOwners(
      order.map((i) => owner[i]),
      zoneIndexes(endpoints),
      replicationFactor,
    );
  }

  getN(tenant: string, labels: readonly Label[], n: number): Endpoint {
    return this.getNForHash(this.hasher.hash(tenant, labels), n);
  }

  getNForHash(hash: bigint, n: number): Endpoint {
    if (n >= this.endpoints.length) throw new InsufficientNodesError(this.endpoints.length, n + 1);
    if (n >= this.replicationFactor) throw new ReplicaOutOfRangeError(n, this.replicationFactor);
    const point = this.firstPointAtOrAfter(hash);
    return this.endpoints[this.owners[point * this.replicationFactor + n]];
  }

  /** Index of the first point whose hash is >= `hash`, wrapping to 0 past the last. */
  firstPointAtOrAfter(hash: bigint): number {
    const { parts, pointHi, pointLo } = this;
    parts.split(hash);
    const { hi, lo } = parts;
    let low = 0;
    let high = pointHi.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const midHi = pointHi[mid];
      if (midHi < hi || (midHi === hi && pointLo[mid] < lo)) low = mid + 1;
      else high = mid;
    }
    return low === pointHi.length ? 0 : low;
  }
}

/** Zone index per endpoint; `''` (no az) is a zone of its own, as in Thanos. */
function zoneIndexes(endpoints: readonly Endpoint[]): Uint32Array {
  const zones = new Map<string, number>();
  return Uint32Array.from(endpoints, (ep) => {
    let z = zones.get(ep.az);
    if (z === undefined) zones.set(ep.az, (z = zones.size));
    return z;
  });
}

/**
 * Thanos's replica walk only takes an endpoint from a zone that has no more picks than the
 * least-picked zone, so a zone of m endpoints caps every other zone at m + 1 picks; when that
 * total is below RF the walk never ends upstream. Refuse such a ring instead.
 */
function checkZoneCapacity(endpoints: readonly Endpoint[], replicationFactor: number): void {
  const sizes = new Map<string, number>();
  endpoints.forEach((ep) => sizes.set(ep.az, (sizes.get(ep.az) ?? 0) + 1));
  if (sizes.size < 2) return;
  const smallest = Math.min(...sizes.values());
  let capacity = 0;
  for (const size of sizes.values()) capacity += Math.min(size, smallest + 1);
  if (capacity >= replicationFactor) return;
  const zones = [...sizes].map(([az, size]) => `${az === '' ? '(no az)' : az}: ${size}`).join(', ');
  throw new HashringConfigError(
    `ketama: availability zones {${zones}} cannot hold ${replicationFactor} replicas spread evenly ` +
      `(at most ${capacity}: no zone may take more than ${smallest + 1}, one more than the smallest zone has endpoints); ` +
      `add endpoints to the smaller zones or lower the replication factor`,
  );
}

/** For every point (sorted order), the endpoints of replicas 0..RF-1 walking clockwise. */
function replicaOwners(pointOwner: Uint32Array, zoneOf: Uint32Array, replicationFactor: number): Uint32Array {
  const count = pointOwner.length;
  const zoneCount = Math.max(...zoneOf) + 1;
  const owners = new Uint32Array(count * replicationFactor);
  const picks = new Int32Array(zoneCount);
  // chosenAt[e] === p + 1 marks endpoint e as already chosen for point p (no clearing needed).
  const chosenAt = new Uint32Array(zoneOf.length);
  for (let p = 0; p < count; p++) {
    picks.fill(0);
    let chosen = 0;
    // checkZoneCapacity rules out endless walks; a full lap without a pick would be one.
    let sincePick = 0;
    for (let j = p; chosen < replicationFactor; j = j + 1 === count ? 0 : j + 1) {
      if (++sincePick > count) throw new Error('ketama: replica walk made no progress (zone capacity check is wrong)');
      const e = pointOwner[j];
      if (chosenAt[e] === p + 1) continue;
      const z = zoneOf[e];
      if (zoneCount > 1 && picks[z] > 0 && picks[z] > minOf(picks)) continue;
      chosenAt[e] = p + 1;
      picks[z]++;
      owners[p * replicationFactor + chosen++] = e;
      sincePick = 0;
    }
  }
  return owners;
}

function minOf(values: Int32Array): number {
  let min = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] < min) min = values[i];
  return min;
}
