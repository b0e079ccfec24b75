import { InsufficientNodesError } from './errors';
import type { Endpoint, Hashring } from './types';

/**
 * The ring of a receiver without hashring configuration (ingestor-only): every series
 * belongs to the local endpoint, and there is no second replica to ask for.
 */
export class SingleNodeHashring implements Hashring {
  readonly endpoints: readonly Endpoint[];

  constructor(address: string) {
    this.endpoints = [{ address, capnprotoAddress: address, az: '' }];
  }

  getN(_tenant: string, _labels: unknown, n: number): Endpoint {
    return this.getNForHash(0n, n);
  }

  getNForHash(_hash: bigint, n: number): Endpoint {
    if (n > 0) throw new InsufficientNodesError(1, n + 1);
    return this.endpoints[0];
  }
}
