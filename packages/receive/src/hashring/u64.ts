/**
 * Splits unsigned 64-bit hashes into two 32-bit numbers without allocating, so ring lookups
 * compare and reduce plain numbers instead of BigInts. Each ring owns one splitter.
 */
export class U64Splitter {
  hi = 0;
  lo = 0;
  private readonly view = new DataView(new ArrayBuffer(8));

  split(value: bigint): void {
    this.view.setBigUint64(0, value);
    this.hi = this.view.getUint32(0);
    this.lo = this.view.getUint32(4);
  }
}
