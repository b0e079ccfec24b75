import { describe, expect, it } from 'vitest';
import { CorruptionError, crc32c, DecodingBuffer, EncodingBuffer } from './index';

describe('crc32c', () => {
  it('matches the Castagnoli check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('continues across calls like one pass', () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
    expect(crc32c(data, 500, 1000, crc32c(data, 0, 500))).toBe(crc32c(data));
  });
});

describe('EncodingBuffer / DecodingBuffer', () => {
  it('round-trips every integer encoding, strings and floats', () => {
    const e = new EncodingBuffer(4);
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    for (const v of values) {
      e.putUvarint(v);
      e.putVarint(-v);
      e.putBE64(v);
      e.putBE64int(-v);
    }
    e.putBE32(0xdeadbeef);
    e.putBE16(0xbeef);
    e.putUvarintStr('héllo ✓');
    e.putFloat64(-0);
    const d = new DecodingBuffer(e.bytes);
    for (const v of values) {
      expect(d.uvarint()).toBe(v);
      expect(d.varint()).toBe(-v || 0);
      expect(d.be64()).toBe(v);
      expect(d.be64int()).toBe(-v || 0);
    }
    expect(d.be32()).toBe(0xdeadbeef);
    expect(d.be16()).toBe(0xbeef);
    expect(d.uvarintStr()).toBe('héllo ✓');
    expect(Object.is(d.float64(), -0)).toBe(true);
    expect(d.remaining).toBe(0);
  });

  it('encodes varints as Go does', () => {
    const e = new EncodingBuffer();
    e.putUvarint(300);
    e.putVarint(-1);
    e.putVarint(1);
    expect([...e.bytes]).toEqual([0xac, 0x02, 0x01, 0x02]);
  });

  it('reports truncation as corruption with the absolute offset', () => {
    const d = new DecodingBuffer(new Uint8Array([0x80, 0x80]), 0, 2, 1000);
    expect(() => d.uvarint()).toThrow(CorruptionError);
    try {
      new DecodingBuffer(new Uint8Array([1, 2]), 0, 2, 40).be32();
    } catch (err) {
      expect((err as CorruptionError).offset).toBe(40);
      expect((err as CorruptionError).inFile('index', 0).message).toContain('index at offset 40');
    }
  });

  it('refuses a length prefix longer than the data instead of allocating', () => {
    const e = new EncodingBuffer();
    e.putUvarint(2 ** 40);
    expect(() => new DecodingBuffer(e.bytes).uvarintBytes()).toThrow(/unexpected end of data/);
  });
});
