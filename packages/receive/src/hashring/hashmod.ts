import { HashringConfigError, InsufficientNodesError } from './errors';
import type { SeriesHasher } from './hasher';
import type { Endpoint, Hashring, Label } from './types';
import { U64Splitter } from './u64';

const TWO_POW_32 = 2 ** 32;

/**
 * Thanos `hashmod`: endpoints sorted by address; replica n of a series is
 * `sorted[(hash + n) mod 2^64 mod len]`, i.e. the next endpoints cyclically.
 */
export class HashmodHashring implements Hashring {
  readonly endpoints: readonly Endpoint[];
  private readonly twoPow32ModLen: number;
  private readonly twoPow64ModLen: number;
  private readonly parts = new U64Splitter();

  constructor(
    endpoints: readonly Endpoint[],
    private readonly hasher: SeriesHasher,
  ) {
    if (endpoints.length === 0) throw new HashringConfigError('hashmod: a hashring needs at least one endpoint');
    for (const ep of endpoints) {
      if (ep.az !== '') {
        throw new HashringConfigError(
          `hashmod does not support availability zones (endpoint ${ep.address} has az ${JSON.stringify(ep.az)}): use algorithm "ketama" or remove "az"`,
        );
      }
    }
    // Go sorts by bytes; `<` on JS strings agrees for ASCII host:port addresses.
    this.endpoints = [...endpoints].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const len = BigInt(this.endpoints.length);
    this.twoPow32ModLen = Number((1n << 32n) % len);
    this.twoPow64ModLen = Number((1n << 64n) % len);
  }

  getN(tenant: string, labels: readonly Label[], n: number): Endpoint {
    return this.getNForHash(this.hasher.hash(tenant, labels), n);
  }

  getNForHash(hash: bigint, n: number): Endpoint {
    this.checkReplica(n);
    const len = this.endpoints.length;
    const { parts } = this;
    parts.split(hash);
    // hash mod len from its 32-bit halves; products stay far below 2^53 for any real ring size.
    const hashMod = ((parts.hi % len) * this.twoPow32ModLen + parts.lo) % len;
    // Go adds n in uint64 arithmetic: when hash + n wraps past 2^64, 2^64 is subtracted.
    const wraps = parts.hi === TWO_POW_32 - 1 && parts.lo >= TWO_POW_32 - n;
    let index = (hashMod + n - (wraps ? this.twoPow64ModLen : 0)) % len;
    if (index < 0) index += len;
    return this.endpoints[index];
  }

  private checkReplica(n: number): void {
    if (n >= this.endpoints.length) throw new InsufficientNodesError(this.endpoints.length, n + 1);
  }
}
