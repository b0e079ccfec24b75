/** An append-only Uint32Array that doubles its capacity when full. */
export class U32Column {
  data: Uint32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(capacity, 4));
  }

  push(v: number): void {
    if (this.length === this.data.length) this.grow(1);
    this.data[this.length++] = v;
  }

  push2(a: number, b: number): void {
    if (this.length + 2 > this.data.length) this.grow(2);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    this.length = n + 2;
  }

  push4(a: number, b: number, c: number, e: number): void {
    if (this.length + 4 > this.data.length) this.grow(4);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    d[n + 3] = e;
    this.length = n + 4;
  }

  /** The filled part (a view, no copy). */
  done(): Uint32Array {
    return this.data.subarray(0, this.length);
  }

  private grow(extra: number): void {
    const next = new Uint32Array(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data);
    this.data = next;
  }
}

/**
 * Float64 samples stored as raw little-endian words so that NaN payloads (stale markers) are copied bit
 * for bit and never pass through a JS number; `values()` views the words as a Float64Array, which assumes
 * a little-endian host (x86-64, arm64). Timestamps go to a parallel Float64Array.
 */
export class SampleColumns {
  bits: Uint32Array;
  timestamps: Float64Array;
  length = 0;

  constructor(capacity: number) {
    capacity = Math.max(capacity, 4);
    this.bits = new Uint32Array(capacity * 2);
    this.timestamps = new Float64Array(capacity);
  }

  /** Appends a sample whose value is the 8 little-endian bytes at `valueOffset` in `src` (-1 means 0.0). */
  push(src: DataView, valueOffset: number, timestamp: number): void {
    const n = this.length;
    if (n === this.timestamps.length) this.grow();
    if (valueOffset >= 0) {
      this.bits[2 * n] = src.getUint32(valueOffset, true);
      this.bits[2 * n + 1] = src.getUint32(valueOffset + 4, true);
    } else {
      this.bits[2 * n] = 0;
      this.bits[2 * n + 1] = 0;
    }
    this.timestamps[n] = timestamp;
    this.length = n + 1;
  }

  values(): Float64Array {
    return new Float64Array(this.bits.buffer, 0, this.length);
  }

  doneTimestamps(): Float64Array {
    return this.timestamps.subarray(0, this.length);
  }

  private grow(): void {
    const bits = new Uint32Array(this.bits.length * 2);
    bits.set(this.bits);
    this.bits = bits;
    const ts = new Float64Array(this.timestamps.length * 2);
    ts.set(this.timestamps);
    this.timestamps = ts;
  }
}
