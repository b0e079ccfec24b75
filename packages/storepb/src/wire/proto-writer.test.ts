import { describe, expect, it } from 'vitest';
import { int64Size, ProtoWriter, varintSize } from './proto-writer';

/** Reference varint bytes of a non-negative integer, computed on bigints. */
function varintBytes(n: bigint): number[] {
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

describe('ProtoWriter varints', () => {
  it('sizes and writes every byte-length boundary up to 2^53 like a bigint encoder', () => {
    const values: number[] = [0, 1, Number.MAX_SAFE_INTEGER, 1_764_000_000_123];
    for (let bits = 7; bits <= 52; bits += 7) values.push(2 ** bits - 1, 2 ** bits, 2 ** bits + 1);
    values.push(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1);
    for (const n of values) {
      const want = varintBytes(BigInt(n));
      expect(varintSize(n), `size of ${n}`).toBe(want.length);
      expect(int64Size(n), `int64 size of ${n}`).toBe(n >= Number.MAX_SAFE_INTEGER ? 9 : want.length);
      const w = new ProtoWriter(want.length);
      w.uvarint(n);
      expect([...w.buf], `bytes of ${n}`).toEqual(want);
    }
  });
});
