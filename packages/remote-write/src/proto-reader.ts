import { WriteRequestDecodeError } from './errors';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 2 ** 63;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Protobuf wire-format reader over one buffer, with gogo-protobuf's error wording. Every read is bounded
 * by an explicit `end` (the end of the enclosing message), as gogo does with its per-message slices.
 */
export class ProtoReader {
  pos = 0;
  readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(message: string, code: WriteRequestDecodeError['code'], offset = this.pos): never {
    throw new WriteRequestDecodeError(message, code, offset);
  }

  eof(): never {
    return this.fail('unexpected EOF', 'unexpected-eof');
  }

  /**
   * Unsigned varint of up to 10 bytes. Exact below 2^53; larger values come back rounded, which only
   * matters for tags and lengths where such values are rejected anyway.
   */
  varint(end: number): number {
    const buf = this.buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.eof();
      const b = buf[this.pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    return this.fail('proto: integer overflow', 'integer-overflow');
  }

  /** A field tag; returns `fieldNumber * 8 + wireType`. */
  tag(end: number): number {
    const b = this.buf[this.pos];
    if (b < 0x80 && this.pos < end) {
      this.pos++;
      return b;
    }
    return this.varint(end);
  }

  /** Length prefix of a wire-type-2 field, checked against the bytes left before `end`. */
  length(end: number): number {
    const start = this.pos;
    const b = this.buf[start];
    let len: number;
    if (b < 0x80 && start < end) {
      this.pos = start + 1;
      len = b;
    } else {
      len = this.varint(end);
      if (len >= TWO_POW_63) this.fail('proto: negative length found during unmarshaling', 'negative-length', start);
    }
    if (len > end - this.pos) this.eof();
    return len;
  }

  /**
   * int64 varint (negative values are 10-byte two's complement) as an exact JS number. Values outside
   * ±(2^53-1) are rejected: they cannot be represented as integer milliseconds.
   */
  int64(end: number, what: string): number {
    // Fast path: non-negative values below 2^49 (at most 7 bytes; every realistic timestamp).
    const buf = this.buf;
    let p = this.pos;
    const limit = Math.min(end, p + 7);
    if (p < limit) {
      let b = buf[p++];
      let value = b & 0x7f;
      let scale = 128;
      while (b >= 0x80 && p < limit) {
        b = buf[p++];
        value += (b & 0x7f) * scale;
        scale *= 128;
      }
      if (b < 0x80) {
        this.pos = p;
        return value;
      }
    }
    return this.int64Slow(end, what);
  }

  private int64Slow(end: number, what: string): number {
    const buf = this.buf;
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      if (this.pos >= end) this.eof();
      b = buf[this.pos++];
      lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return lo >>> 0;
    }
    if (this.pos >= end) this.eof();
    b = buf[this.pos++];
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (i = 0; ; i++) {
        if (i === 5) this.fail('proto: integer overflow', 'integer-overflow');
        if (this.pos >= end) this.eof();
        b = buf[this.pos++];
        hi |= (b & 0x7f) << (3 + 7 * i);
        if (b < 0x80) break;
      }
    }
    hi |= 0;
    if (hi > 0x1fffff || hi < -0x200000) this.int64OutOfRange(start, what);
    const value = hi * TWO_POW_32 + (lo >>> 0);
    if (value < Number.MIN_SAFE_INTEGER) this.int64OutOfRange(start, what);
    return value;
  }

  private int64OutOfRange(start: number, what: string): never {
    let raw = 0n;
    for (let i = this.pos - 1; i >= start; i--) raw = (raw << 7n) | BigInt(this.buf[i] & 0x7f);
    const exact = BigInt.asIntN(64, raw);
    return this.fail(
      `${what} ${exact} is outside the supported range ±(2^53-1) of millisecond timestamps`,
      'timestamp-out-of-range',
      start,
    );
  }

  /** Checks that a fixed64 fits before `end` and returns its offset. */
  fixed64(end: number): number {
    const at = this.pos;
    if (end - at < 8) this.eof();
    this.pos = at + 8;
    return at;
  }

  /** Splits a tag into its field number, rejecting what gogo's generated unmarshallers reject. */
  fieldNumber(tag: number, message: string, tagOffset: number): number {
    const wireType = tag % 8;
    const field = Math.floor(tag / 8) | 0;
    if (wireType === WIRE_END_GROUP) {
      this.fail(`proto: ${message}: wiretype end group for non-group`, 'end-group', tagOffset);
    }
    if (field <= 0)
      this.fail(`proto: ${message}: illegal tag ${field} (wire type ${wireType})`, 'illegal-tag', tagOffset);
    return field;
  }

  wrongWireType(wireType: number, field: string, tagOffset: number): never {
    return this.fail(`proto: wrong wireType = ${wireType} for field ${field}`, 'wrong-wire-type', tagOffset);
  }

  /** Skips the value of an unknown field (groups included, as gogo's `skipTypes` does). */
  skip(wireType: number, end: number): void {
    let depth = 0;
    for (;;) {
      switch (wireType) {
        case WIRE_VARINT:
          this.varint(end);
          break;
        case WIRE_FIXED64:
          this.fixed64(end);
          break;
        case WIRE_LEN: {
          const len = this.length(end);
          this.pos += len;
          break;
        }
        case WIRE_START_GROUP:
          depth++;
          break;
        case WIRE_END_GROUP:
          if (depth === 0) this.fail('proto: unexpected end of group', 'end-group');
          depth--;
          break;
        case WIRE_FIXED32:
          if (end - this.pos < 4) this.eof();
          this.pos += 4;
          break;
        default:
          this.fail(`proto: illegal wireType ${wireType}`, 'illegal-wire-type');
      }
      if (depth === 0) return;
      wireType = this.tag(end) % 8;
    }
  }

  /** Walks a message whose fields are not needed, checking only that its wire structure is sound. */
  skipMessage(end: number, message: string): void {
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.tag(end);
      this.fieldNumber(tag, message, at);
      this.skip(tag % 8, end);
    }
  }

  /** Rejects invalid UTF-8 in `buf[start, end)`; pure ASCII (the usual case) needs no decoder call. */
  checkUtf8(start: number, end: number, what: string): void {
    if (isAscii(this.buf, start, end)) return;
    try {
      utf8Fatal.decode(this.buf.subarray(start, end));
    } catch {
      this.fail(`proto: ${what} contains invalid UTF-8`, 'invalid-utf8', start);
    }
  }
}

export function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  let bits = 0;
  for (let i = start; i < end; i++) bits |= buf[i];
  return bits < 0x80;
}
