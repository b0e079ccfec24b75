import { describe, expect, it } from 'vitest';
import snappyjs from 'snappyjs';
import { SnappyDecodeError, WriteRequestTooLargeError } from './errors';
import { compressSnappyBlock, decompressSnappyBlock, snappyDecodedLength } from './snappy';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

const text = new TextEncoder().encode('remote_write '.repeat(500));

describe('snappy block format', () => {
  it('round-trips and interoperates with snappyjs (the encoder of the fixture bodies)', () => {
    expect(compressSnappyBlock(text).length).toBeLessThan(text.length / 10);
    expect(same(decompressSnappyBlock(compressSnappyBlock(text)), text)).toBe(true);
    expect(same(decompressSnappyBlock(snappyjs.compress(text)), text)).toBe(true);
    expect(same(snappyjs.uncompress(compressSnappyBlock(text)), text)).toBe(true);
  });

  it('reads the declared length from the uvarint header', () => {
    expect(snappyDecodedLength(Uint8Array.of(0x00))).toBe(0);
    expect(snappyDecodedLength(Uint8Array.of(0xe0, 0x32))).toBe(6496);
    expect(snappyDecodedLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))).toBe(0xffffffff);
    expect(thrown(() => snappyDecodedLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)))).toBeInstanceOf(
      SnappyDecodeError,
    );
  });

  it('refuses a declared size above the limit before decoding', () => {
    // header claims 4 GiB - 1; the rest is garbage that must never be looked at
    const err = thrown(() => decompressSnappyBlock(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3), 1 << 20));
    expect(err).toBeInstanceOf(WriteRequestTooLargeError);
    expect((err as WriteRequestTooLargeError).declaredBytes).toBe(0xffffffff);
    const body = compressSnappyBlock(text);
    expect(thrown(() => decompressSnappyBlock(body, text.length - 1))).toBeInstanceOf(WriteRequestTooLargeError);
    expect(decompressSnappyBlock(body, text.length)).toHaveLength(text.length);
  });

  it('rejects a header promising more than the block could ever expand to', () => {
    // 1 MiB declared, 8 bytes of content: corrupt, and the limit (default 32 MiB) is not the reason
    const err = thrown(() => decompressSnappyBlock(Uint8Array.of(0x80, 0x80, 0x40, 0xfe, 0x01, 0x00, 0xfe, 0x01)));
    expect(err).toBeInstanceOf(SnappyDecodeError);
    // the densest legal block (copies of 64 bytes, 3 bytes each) still decodes
    const zeros = new Uint8Array(1 << 20);
    const dense = compressSnappyBlock(zeros);
    expect(dense.length * 22).toBeGreaterThan(zeros.length);
    expect(same(decompressSnappyBlock(dense), zeros)).toBe(true);
  });

  it('maps every corruption to "snappy: corrupt input"', () => {
    const body = compressSnappyBlock(text);
    const longer = Uint8Array.from(body);
    longer[0]++; // header one byte longer than the content
    const cases = [new Uint8Array(0), body.subarray(0, body.length - 1), longer, Uint8Array.of(0x00, 0x00)];
    for (const c of cases) {
      const err = thrown(() => decompressSnappyBlock(c));
      expect(err).toBeInstanceOf(SnappyDecodeError);
      expect((err as Error).message).toBe('snappy: corrupt input');
    }
  });
});
