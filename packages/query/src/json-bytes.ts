// UTF-8 bytes of a large JSON body written piece by piece: a matrix answer has hundreds of
// thousands of points, and building it as strings (several per point, joined, then encoded
// for the socket) costs more than copying each piece's bytes once into large buffers.

const BLOCK_BYTES = 64 * 1024;

export class JsonBytesWriter {
  private readonly full: Buffer[] = [];
  private buf = Buffer.allocUnsafe(BLOCK_BYTES);
  private pos = 0;

  /** Appends a string known to be ASCII (numbers, punctuation, fixed keys). */
  ascii(s: string): void {
    this.pos = putAscii(this.buf, this.reserve(s.length), s);
  }

  /** Appends any string as UTF-8. */
  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.pos += this.buf.write(s, this.reserve(n), n, 'utf8');
  }

  /**
   * Makes room for `n` more bytes and returns where they start in {@link buffer}: the caller
   * writes them there (with {@link putAscii}, {@link putInt32Digits}) and passes the end to
   * {@link advanceTo}. For hot loops: the position stays in a local.
   */
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) this.nextBlock(n);
    return this.pos;
  }

  get buffer(): Buffer {
    return this.buf;
  }

  advanceTo(pos: number): void {
    this.pos = pos;
  }

  /** The bytes written, in order (copy them into one Buffer only where needed). */
  finish(): Buffer[] {
    return [...this.full, this.buf.subarray(0, this.pos)];
  }

  private nextBlock(need: number): void {
    this.full.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, need));
    this.pos = 0;
  }
}

/** Writes ASCII `s` into `b` at `p`; returns the end. */
export function putAscii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Writes the decimal digits of a non-negative int32 into `b` at `p`; returns the end. */
export function putInt32Digits(b: Uint8Array, p: number, n: number): number {
  let x = n | 0;
  let end = p;
  for (let q = 10; q <= x && end - p < 9; q *= 10) end++;
  const after = end + 1;
  do {
    const q = (x / 10) | 0;
    b[end--] = 48 + x - q * 10;
    x = q;
  } while (x > 0);
  return after;
}
