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
    const n = s.length;
    if (this.pos + n > this.buf.length) this.nextBlock(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends any string as UTF-8. */
  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (this.pos + n > this.buf.length) this.nextBlock(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
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
