import { CorruptionError } from './errors';

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();
const TWO_32 = 4294967296;

/**
 * A growable byte writer with the encodings of Prometheus's `encoding.Encbuf`:
 * big-endian fixed ints, uvarint, zigzag varint and length-prefixed strings.
 * 64-bit integers are JS numbers, exact within ±2^53.
 */
export class EncodingBuffer {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  reset(): void {
    this.length = 0;
  }

  /** The written bytes (a view: copy it before writing more if you keep it). */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  putByte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  putBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  putBE16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }

  putBE32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }

  /** Unsigned 64-bit big-endian from a non-negative safe integer. */
  putBE64(v: number): void {
    this.ensure(8);
    this.view.setUint32(this.length, Math.floor(v / TWO_32));
    this.view.setUint32(this.length + 4, v % TWO_32);
    this.length += 8;
  }

  /** Two's complement int64 big-endian from a safe integer. */
  putBE64int(v: number): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt(v));
    this.length += 8;
  }

  putFloat64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }

  putUvarint(v: number): void {
    this.ensure(10);
    this.length = writeUvarint(this.buf, this.length, v);
  }

  putVarint(v: number): void {
    this.ensure(10);
    this.length = writeVarint(this.buf, this.length, v);
  }

  /** `uvarint(len)` followed by the UTF-8 bytes. */
  putUvarintStr(s: string): void {
    this.ensure(10 + s.length * 3);
    const lenPos = this.length;
    // Reserve the length after encoding, since UTF-8 size is unknown up front.
    const tmpStart = lenPos + 10;
    const written = utf8Encoder.encodeInto(s, this.buf.subarray(tmpStart)).written;
    const after = writeUvarint(this.buf, lenPos, written);
    this.buf.copyWithin(after, tmpStart, tmpStart + written);
    this.length = after + written;
  }

  /** Pads with zero bytes to a multiple of `alignment`. */
  padTo(alignment: number): void {
    const rem = this.length % alignment;
    if (rem !== 0) {
      const n = alignment - rem;
      this.ensure(n);
      this.buf.fill(0, this.length, this.length + n);
      this.length += n;
    }
  }
}

/** Writes an unsigned varint at `pos`; returns the position after it. */
export function writeUvarint(buf: Uint8Array, pos: number, v: number): number {
  // Zigzag-encoded safe integers reach 2^54; doubles hold those exactly (they are even).
  if (v < 0 || !Number.isInteger(v) || v >= 2 ** 64) throw new RangeError(`uvarint out of range: ${v}`);
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Writes a zigzag varint at `pos` without forming the (up to 2^54, possibly odd and
 * so inexact) unsigned value: the sign goes into bit 0 of the first byte.
 */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`varint out of range: ${v}`);
  const negative = v < 0;
  let half = negative ? -v - 1 : v;
  const first = ((half % 64) << 1) | (negative ? 1 : 0);
  half = Math.floor(half / 64);
  if (half === 0) {
    buf[pos++] = first;
    return pos;
  }
  buf[pos++] = first | 0x80;
  return writeUvarint(buf, pos, half);
}

export function zigzagEncode(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function zigzagDecode(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * A bounds-checked reader over a byte range, like Prometheus's `encoding.Decbuf`.
 * Every read past the end or malformed varint throws a {@link CorruptionError}
 * carrying the absolute offset (`base` + position), so readers never see RangeErrors.
 */
export class DecodingBuffer {
  pos: number;
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
    /** Offset of `bytes[0]` within the file, for error messages. */
    readonly base = 0,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(reason: string, at = this.pos): never {
    throw new CorruptionError(reason, undefined, this.base + at);
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end)
      this.fail(`unexpected end of data: need ${n} bytes, have ${this.end - this.pos}`);
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  be16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  be32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit big-endian; throws beyond 2^53. */
  be64(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi >= 0x200000) this.fail(`64-bit value too large for this reader (high word 0x${hi.toString(16)})`);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** Two's complement int64 big-endian, clamped to the safe integer range. */
  be64int(): number {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return clampInt64(v);
  }

  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  uvarint(): number {
    let result = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('unexpected end of data in varint', start);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail('varint exceeds 2^53', start);
        return result;
      }
      mul *= 128;
    }
    return this.fail('varint overflows 64 bits', start);
  }

  /** Zigzag varint, decoded without passing through the (up to 2^54) unsigned form. */
  varint(): number {
    const start = this.pos;
    if (this.pos >= this.end) this.fail('unexpected end of data in varint', start);
    let b = this.bytes[this.pos++];
    const negative = (b & 1) === 1;
    let half = (b & 0x7f) >>> 1;
    let mul = 64;
    for (let i = 1; b >= 0x80; i++) {
      if (i === 10) this.fail('varint overflows 64 bits', start);
      if (this.pos >= this.end) this.fail('unexpected end of data in varint', start);
      b = this.bytes[this.pos++];
      half += (b & 0x7f) * mul;
      mul *= 128;
    }
    if (half > Number.MAX_SAFE_INTEGER) this.fail('varint exceeds 2^53', start);
    return negative ? -half - 1 : half;
  }

  bytesN(n: number): Uint8Array {
    this.need(n);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  uvarintBytes(): Uint8Array {
    return this.bytesN(this.uvarint());
  }

  uvarintStr(): string {
    return utf8Decoder.decode(this.uvarintBytes());
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

/** Go's MinInt64/MaxInt64 and other out-of-range int64s become the nearest safe integer. */
export function clampInt64(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}
