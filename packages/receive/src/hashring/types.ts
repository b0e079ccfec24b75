/** One label of a series, as received (the hash uses the order given, not a sorted one). */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A receiver in a hashring. */
export interface Endpoint {
  /** gRPC address `host:port`; the identity of the endpoint. */
  readonly address: string;
  /** Cap'n Proto replication address; defaults to `<host>:19391`. */
  readonly capnprotoAddress: string;
  /** Availability zone; `''` when not set (which still counts as a zone for ketama). */
  readonly az: string;
}

export type HashringAlgorithm = 'hashmod' | 'ketama';

export const HASHRING_ALGORITHMS: readonly HashringAlgorithm[] = ['hashmod', 'ketama'];

/** Finds the receivers owning a series of a tenant, one replica at a time. */
export interface Hashring {
  /** hashmod: sorted by address; ketama: in configuration order. */
  readonly endpoints: readonly Endpoint[];
  /** The owner of replica `n` (0-based) of the series. */
  getN(tenant: string, labels: readonly Label[], n: number): Endpoint;
  /**
   * Same as `getN` for a hash already computed with `SeriesHasher.hash` (so that a caller
   * asking for several replicas hashes the series once).
   */
  getNForHash(hash: bigint, n: number): Endpoint;
}

/** Whether `address` names this endpoint (by gRPC or Cap'n Proto address). */
export function endpointHasAddress(endpoint: Endpoint, address: string): boolean {
  return endpoint.address === address || (endpoint.capnprotoAddress !== '' && endpoint.capnprotoAddress === address);
}
