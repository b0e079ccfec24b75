import { CorruptionError } from '../encoding';

/**
 * An MSB-first bit stream writer that reproduces the byte length of Go's `bstream`:
 * a multi-of-8-bit write that ends byte aligned leaves one extra zero byte behind
 * (Go appends a fresh byte after every whole byte it writes). Chunks must match byte
 * for byte, so {@link length} includes that byte.
 */
export class BitWriter {
  private buf: Uint8Array;
  /** Bits written so far, including any prefix passed to the constructor. */
  bitLength: number;
  private trailingByte = false;

  constructor(initialCapacity = 128, prefixBytes = 0) {
    this.buf = new Uint8Array(Math.max(initialCapacity, prefixBytes + 16));
    this.bitLength = prefixBytes * 8;
  }

  /** Byte length as Go's `bstream.bytes()` would report it. */
  get length(): number {
    return ((this.bitLength + 7) >>> 3) + (this.trailingByte ? 1 : 0);
  }

  /** The written bytes (a view into the internal buffer, invalidated by further writes). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Direct access for in-place header updates. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  reset(prefixBytes = 0): void {
    this.buf.fill(0, 0, this.length + 1);
    this.bitLength = prefixBytes * 8;
    this.trailingByte = false;
  }

  /** Restores a writer state over existing stream bytes (used to resume appending to a chunk). */
  restore(bytes: Uint8Array, bitLength: number, trailingByte: boolean): void {
    this.buf = new Uint8Array(Math.max(bytes.length * 2, 128));
    this.buf.set(bytes.subarray(0, (bitLength + 7) >>> 3));
    this.bitLength = bitLength;
    this.trailingByte = trailingByte;
  }

  private ensure(bits: number): void {
    const need = ((this.bitLength + bits + 7) >>> 3) + 1;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  writeBit(bit: boolean | number): void {
    this.ensure(1);
    if (bit) this.buf[this.bitLength >>> 3] |= 0x80 >>> (this.bitLength & 7);
    this.bitLength++;
    this.trailingByte = false;
  }

  /** Writes the low `n` (0..32) bits of `value`, most significant first. */
  writeBits(value: number, n: number): void {
    this.ensure(n);
    this.put(value, n);
    this.trailingByte = n >= 8 && (n & 7) === 0 && (this.bitLength & 7) === 0;
  }

  /** Writes the low `n` (0..64) bits of the 64-bit value `hi:lo`. */
  writeBits64(hi: number, lo: number, n: number): void {
    this.ensure(n);
    if (n > 32) {
      this.put(hi, n - 32);
      this.put(lo, 32);
    } else {
      this.put(lo, n);
    }
    this.trailingByte = n >= 8 && (n & 7) === 0 && (this.bitLength & 7) === 0;
  }

  /** A whole byte, as Go's `writeByte`. */
  writeByte(b: number): void {
    this.writeBits(b, 8);
  }

  private put(value: number, n: number): void {
    const buf = this.buf;
    let pos = this.bitLength >>> 3;
    let free = 8 - (this.bitLength & 7);
    this.bitLength += n;
    while (n > 0) {
      if (n >= free) {
        n -= free;
        buf[pos++] |= (value >>> n) & (0xff >>> (8 - free));
        free = 8;
      } else {
        buf[pos] |= (value & ((1 << n) - 1)) << (free - n);
        return;
      }
    }
  }
}

/**
 * An MSB-first bit reader. Reading past the end throws a {@link CorruptionError}
 * with the byte offset (relative to `base`), so a garbage stream can never loop or
 * allocate: every read consumes bits or fails.
 */
export class BitReader {
  private bytes: Uint8Array;
  private pos = 0;
  private end = 0;
  private base = 0;

  constructor(bytes: Uint8Array = new Uint8Array(0), base = 0) {
    this.bytes = bytes;
    this.reset(bytes, base);
  }

  reset(bytes: Uint8Array, base = 0): void {
    this.bytes = bytes;
    this.pos = 0;
    this.end = bytes.length * 8;
    this.base = base;
  }

  /** Bit position from the start of the stream. */
  get bitPosition(): number {
    return this.pos;
  }

  get bitsLeft(): number {
    return this.end - this.pos;
  }

  /** Offset (including `base`) of the byte holding the next bit, for error messages. */
  get byteOffset(): number {
    return this.base + (this.pos >>> 3);
  }

  private fail(n: number): never {
    throw new CorruptionError(
      `bit stream ends early: need ${n} bits at bit ${this.pos}, have ${this.end - this.pos}`,
      undefined,
      this.byteOffset,
    );
  }

  readBit(): number {
    if (this.pos >= this.end) this.fail(1);
    const bit = (this.bytes[this.pos >>> 3] >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  /** Reads `n` (0..32) bits as an unsigned number. */
  readBits(n: number): number {
    if (this.pos + n > this.end) this.fail(n);
    const bytes = this.bytes;
    let p = this.pos >>> 3;
    const avail = 8 - (this.pos & 7);
    this.pos += n;
    let v = bytes[p++] & (0xff >>> (8 - avail));
    if (n <= avail) return v >>> (avail - n);
    n -= avail;
    while (n >= 8) {
      v = v * 256 + bytes[p++];
      n -= 8;
    }
    if (n > 0) v = v * (1 << n) + (bytes[p] >>> (8 - n));
    return v;
  }

  /** Reads `n` (0..64) bits; the high part goes to {@link hi}, the result is the low 32 bits. */
  readBits64(n: number): number {
    if (n > 32) {
      this.hi = this.readBits(n - 32);
      return this.readBits(32);
    }
    this.hi = 0;
    return this.readBits(n);
  }

  /** High word of the last {@link readBits64}. */
  hi = 0;

  /** An unsigned varint read byte by byte from the bit stream (Go's `binary.ReadUvarint`). */
  readUvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.readBits(8);
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new CorruptionError('varint overflows 64 bits', undefined, this.byteOffset);
  }

  /**
   * A zigzag varint (Go's `binary.ReadVarint`), decoded without forming the unsigned
   * value (which exceeds 2^53 for large negative numbers): exact within ±2^53.
   */
  readVarint(): number {
    let b = this.readBits(8);
    const negative = (b & 1) === 1;
    let half = (b & 0x7f) >>> 1;
    let mul = 64;
    for (let i = 1; b >= 0x80; i++) {
      if (i === 10) throw new CorruptionError('varint overflows 64 bits', undefined, this.byteOffset);
      b = this.readBits(8);
      half += (b & 0x7f) * mul;
      mul *= 128;
    }
    return negative ? -half - 1 : half;
  }
}
