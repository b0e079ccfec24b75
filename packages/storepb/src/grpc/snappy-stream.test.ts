import { describe, expect, it } from 'vitest';
import { compressSync } from 'snappy';
import { decodeSnappyStream, encodeSnappyStream, maskedCrc32c, SnappyStreamError } from './snappy-stream';

const IDENTIFIER = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59];

/** A chunk as the framing format lays it out: type, 24-bit length, masked CRC of the data, body. */
function chunk(type: number, data: Uint8Array, body: Uint8Array = data, crc = maskedCrc32c(data)): number[] {
  const length = body.length + 4;
  return [
    type,
    length & 0xff,
    (length >> 8) & 0xff,
    length >> 16,
    crc & 0xff,
    (crc >>> 8) & 0xff,
    (crc >>> 16) & 0xff,
    crc >>> 24,
    ...body,
  ];
}

const text = (s: string) => new TextEncoder().encode(s);

describe('snappy stream format', () => {
  it('masks the CRC-32C as the framing format specifies', () => {
    // CRC-32C("123456789") is the standard check value 0xe3069283; masked: rotate right 15, add 0xa282ead8.
    const c = 0xe3069283;
    expect(maskedCrc32c(text('123456789'))).toBe((((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0);
  });

  it('decodes compressed, stored, padding and skippable chunks', () => {
    const a = text('hello hello hello hello hello hello');
    const b = text('stored as is');
    const stream = Uint8Array.from([
      ...IDENTIFIER,
      ...chunk(0x00, a, compressSync(a)),
      ...[0xfe, 0x02, 0x00, 0x00, 0x00, 0x00],
      ...chunk(0x01, b),
      ...[0x80, 0x01, 0x00, 0x00, 0x42],
      ...IDENTIFIER,
    ]);
    expect(new TextDecoder().decode(decodeSnappyStream(stream, 1024))).toBe(
      'hello hello hello hello hello hellostored as is',
    );
  });

  it('round-trips data spanning several 64 KiB chunks, compressible or not', () => {
    const data = new Uint8Array(200_000);
    for (let i = 0; i < data.length; i++) data[i] = i < 100_000 ? i % 7 : (i * 2654435761) >>> 24;
    const stream = encodeSnappyStream(data);
    expect(Array.from(stream.subarray(0, 10))).toEqual(IDENTIFIER);
    expect(stream.length).toBeLessThan(data.length);
    expect(Buffer.compare(decodeSnappyStream(stream, data.length), data)).toBe(0);
    expect(decodeSnappyStream(encodeSnappyStream(new Uint8Array(0)), 0).length).toBe(0);
  });

  it('refuses corrupt streams with the offset of the problem', () => {
    const data = text('some data');
    const good = [...IDENTIFIER, ...chunk(0x01, data)];
    const refuse = (bytes: number[], message: RegExp, max = 1024) => {
      expect(() => decodeSnappyStream(Uint8Array.from(bytes), max)).toThrow(SnappyStreamError);
      expect(() => decodeSnappyStream(Uint8Array.from(bytes), max)).toThrow(message);
    };
    refuse(chunk(0x01, data), /does not start with the snappy stream identifier/);
    refuse([...IDENTIFIER, ...chunk(0x01, data, data, 12345)], /checksum mismatch in chunk at offset 10/);
    refuse(good.slice(0, -1), /chunk at offset 10 declares 13 bytes, 12 remain/);
    refuse([...IDENTIFIER, 0x02, 0x00, 0x00, 0x00], /reserved unskippable chunk type 0x2 at offset 10/);
    refuse([...IDENTIFIER, ...chunk(0x00, data, text('not snappy'))], /chunk at offset 10/);
    refuse(good, /stream decodes to more than 4 bytes/, 4);
  });
});
