const TWO_POW_32 = 4294967296;
const utf8Encoder = new TextEncoder();

/** Bytes of an unsigned varint of a non-negative safe integer. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Bytes of an int64 varint (negative values take the full 10 bytes of their two's complement). */
export function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** Bytes of a length-delimited field (tag below 16) holding `len` bytes. */
export function lengthDelimitedSize(len: number): number {
  return 1 + varintSize(len) + len;
}

/** UTF-8 byte length; a JS scan beats the native call for the short ASCII strings labels are made of. */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

/** Protobuf writer into a buffer sized up front by the caller. */
export class ProtoWriter {
  pos = 0;
  readonly buf: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    const buf = this.buf;
    while (n >= 128) {
      buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
  }

  /** int64 varint of a safe integer, two's complement for negative values (like Go's uint64(int64)). */
  int64(n: number): void {
    if (n >= 0) {
      this.varint(n);
      return;
    }
    const buf = this.buf;
    let lo = n >>> 0;
    let hi = Math.floor(n / TWO_POW_32) >>> 0;
    while (hi !== 0 || lo > 127) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  /** Copies 8 bytes verbatim (a double's bit pattern, already little-endian). */
  raw8(src: Uint8Array, offset: number): void {
    this.buf.set(src.subarray(offset, offset + 8), this.pos);
    this.pos += 8;
  }

  double(value: number): void {
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  bytes(src: Uint8Array): void {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Writes a string whose UTF-8 length (`byteLength`) the caller already knows. */
  string(s: string, byteLength: number): void {
    if (byteLength === s.length) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += utf8Encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
    }
  }
}
