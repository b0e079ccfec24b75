// Minimal protobuf writer for the hand-written codecs: callers compute message sizes
// first, allocate once, then write fields in ascending field-number order.
import { int64Parts } from './int64';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;

export function varintSize(n: number): number {
  // n is a non-negative integer below 2^53 (8 bytes hold 56 bits).
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  return 8;
}

export function int64Size(n: number): number {
  if (n < 0 || n >= Number.MAX_SAFE_INTEGER) return n >= Number.MAX_SAFE_INTEGER ? 9 : 10;
  return varintSize(n);
}

export function uint64Size(n: bigint): number {
  let size = 1;
  while (n >= 0x80n) {
    size++;
    n >>= 7n;
  }
  return size;
}

/** Size of a length-delimited field with a one-byte tag (field numbers < 16). */
export function lenFieldSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

export class ProtoWriter {
  pos = 0;
  readonly buf: Buffer;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  tag(field: number, wire: number): void {
    this.uint32((field << 3) | wire);
  }

  uint32(n: number): void {
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[this.pos++] = n;
  }

  /** Non-negative integer below 2^53. */
  uvarint(n: number): void {
    if (n < 0x80000000) {
      this.uint32(n);
      return;
    }
    // Split into 32-bit halves so the byte loop runs on integer operations.
    const lo = n >>> 0;
    this.varint64(lo, (n - lo) / 0x100000000);
  }

  int64(n: number): void {
    if (n >= 0 && n < Number.MAX_SAFE_INTEGER) {
      this.uvarint(n);
      return;
    }
    const { lo, hi } = int64Parts(n);
    this.varint64(lo, hi);
  }

  uint64(n: bigint): void {
    const buf = this.buf;
    while (n >= 0x80n) {
      buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    buf[this.pos++] = Number(n);
  }

  double(v: number): void {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(data: Uint8Array): void {
    this.uint32(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** A string whose UTF-8 length the caller already measured. */
  string(s: string, byteLength: number): void {
    this.uint32(byteLength);
    if (byteLength === s.length) {
      // ASCII: a plain loop beats Buffer.write's call overhead for short label strings.
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < byteLength; i++) buf[p++] = s.charCodeAt(i);
    } else {
      this.buf.write(s, this.pos, byteLength, 'utf8');
    }
    this.pos += byteLength;
  }

  private varint64(lo: number, hi: number): void {
    const buf = this.buf;
    while (hi !== 0 || lo >= 0x80) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }
}
