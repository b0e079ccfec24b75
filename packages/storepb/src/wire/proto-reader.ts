// Minimal protobuf reader for the hand-written codecs. Byte fields come back as
// subarrays of the input (no copy).
import { int64FromParts } from './int64';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './proto-writer';

export class ProtoDecodeError extends Error {
  constructor(message: string, what: string, offset: number) {
    super(`${what}: ${message} at byte offset ${offset}`);
    this.name = 'ProtoDecodeError';
  }
}

export class ProtoReader {
  pos: number;
  /** The same bytes as a Buffer, for Node's native UTF-8 decoding. */
  private readonly text: Buffer;
  /** The same bytes as a plain Uint8Array: its subarrays are cheaper to make than a Buffer's. */
  private readonly plain: Uint8Array;

  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
    this.text = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.plain = Buffer.isBuffer(buf) ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf;
  }

  /** Steps into a length-delimited sub-message; returns the outer end for `leave`. */
  enter(): number {
    const outerEnd = this.end;
    this.end = this.payloadEnd();
    return outerEnd;
  }

  leave(outerEnd: number): void {
    this.pos = this.end;
    this.end = outerEnd;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  fail(message: string): never {
    throw new ProtoDecodeError(message, this.what, this.pos);
  }

  /** Reads a varint that fits in 32 bits (tags, lengths, enums, bools). */
  uint32(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    while (true) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++];
      if (shift < 28) {
        result |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        result |= (b & 0x0f) << 28;
      }
      // Higher bytes of a negative int32 enum are sign extension; dropped.
      if (b < 0x80) return result >>> 0;
      shift += 7;
      if (shift > 63) this.fail('varint longer than 10 bytes');
    }
  }

  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    while (true) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++];
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return int64FromParts(lo, hi);
      shift += 7;
      if (shift > 63) this.fail('varint longer than 10 bytes');
    }
  }

  uint64(): bigint {
    let result = 0n;
    let shift = 0n;
    while (true) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift > 63n) this.fail('varint longer than 10 bytes');
    }
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('truncated double');
    const buf = this.buf;
    const v = new DataView(buf.buffer, buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns where its payload ends; the reader is at the payload's start. */
  private payloadEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) this.fail(`length ${len} runs past the end of the message`);
    return end;
  }

  bytes(): Uint8Array {
    const end = this.payloadEnd();
    const start = this.pos;
    this.pos = end;
    return this.plain.subarray(start, end);
  }

  string(): string {
    const end = this.payloadEnd();
    const start = this.pos;
    this.pos = end;
    return this.text.toString('utf8', start, end);
  }

  /** Skips a field of an unknown number (forward compatibility). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.uint64();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.payloadEnd();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) this.fail('truncated fixed-size field');
  }
}
