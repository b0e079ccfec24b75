import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../encoding';
import { BitReader, BitWriter } from './index';

describe('BitWriter / BitReader', () => {
  it('writes MSB first and reads back fields of every width across byte boundaries', () => {
    const w = new BitWriter(1);
    const fields: Array<[number, number]> = [];
    for (let n = 1; n <= 32; n++) fields.push([(0x9e3779b9 * n) >>> (32 - n), n]);
    for (const [v, n] of fields) w.writeBits(v, n);
    w.writeBits64(0xdeadbeef, 0x01234567, 64);
    w.writeBits64(0x5, 0xffffffff, 35);
    const r = new BitReader(w.bytes());
    for (const [v, n] of fields) expect(r.readBits(n)).toBe(v);
    expect([r.readBits64(64), r.hi]).toEqual([0x01234567, 0xdeadbeef]);
    expect([r.readBits64(35), r.hi]).toEqual([0xffffffff, 0x5]);
  });

  it("keeps Go bstream's extra byte only after whole-byte writes that end aligned", () => {
    const w = new BitWriter();
    w.writeBits(0xab, 8);
    expect([...w.bytes()]).toEqual([0xab, 0]);
    w.writeBit(1);
    expect([...w.bytes()]).toEqual([0xab, 0x80]);
    w.writeBits(0, 7);
    expect(w.length).toBe(2);
    w.writeBits(0x1ff, 9);
    expect(w.length).toBe(4);
    w.writeBits(0x7f, 7);
    w.writeBits64(0, 1, 16);
    expect([...w.bytes()]).toEqual([0xab, 0x80, 0xff, 0xff, 0, 1, 0]);
  });

  it('throws CorruptionError with the byte offset when the stream ends', () => {
    const r = new BitReader(new Uint8Array([0xff]), 100);
    r.readBits(5);
    expect(() => r.readBits(4)).toThrow(CorruptionError);
    try {
      r.readBits(4);
    } catch (e) {
      expect((e as CorruptionError).offset).toBe(100);
    }
    expect(r.readBits(3)).toBe(7);
    expect(() => r.readBit()).toThrow(/ends early/);
  });

  it('reads zigzag varints exactly up to ±2^53', () => {
    for (const v of [0, -1, 1, -64, 63, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]) {
      const bytes = new Uint8Array(10);
      const w = new BitWriter();
      // Go zigzag via BigInt for the reference encoding.
      let u = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
      u = BigInt.asUintN(64, u);
      let n = 0;
      while (u >= 0x80n) {
        bytes[n++] = Number(u & 0x7fn) | 0x80;
        u >>= 7n;
      }
      bytes[n++] = Number(u);
      for (let i = 0; i < n; i++) w.writeByte(bytes[i]);
      expect(new BitReader(w.bytes()).readVarint()).toBe(v);
    }
  });
});
