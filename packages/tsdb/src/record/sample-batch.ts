import { isStaleNaNBits } from '../chunkenc/float-bits';
import type { Labels } from '../labels';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high / low 32-bit word of float `i` in a `Uint32Array` over a `Float64Array`. */
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/**
 * Columnar samples (series ref, timestamp, value) without an object per sample. Values are
 * handled as 64-bit patterns (two 32-bit words) wherever they are copied, so NaN payloads such
 * as the stale marker survive. The arrays grow on demand; `length` counts the valid entries and
 * an instance is meant to be reused with `reset()`.
 */
export class SampleBatch {
  refs: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
  /** The raw words of `values`: `[2i + HI]` is the high word of value `i`. */
  protected words: Uint32Array;
  length = 0;

  constructor(capacity = 64) {
    this.refs = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.words = new Uint32Array(this.values.buffer);
  }

  reset(): void {
    this.length = 0;
  }

  get capacity(): number {
    return this.refs.length;
  }

  ensureCapacity(n: number): void {
    if (n <= this.refs.length) return;
    let cap = Math.max(16, this.refs.length * 2);
    while (cap < n) cap *= 2;
    this.refs = grow(this.refs, cap, this.length);
    this.timestamps = grow(this.timestamps, cap, this.length);
    this.values = grow(this.values, cap, this.length);
    this.words = new Uint32Array(this.values.buffer);
  }

  /** Appends a sample whose value is a plain number (fine for anything but NaN payloads you must keep). */
  push(ref: number, t: number, value: number): void {
    const i = this.length;
    this.ensureCapacity(i + 1);
    this.refs[i] = ref;
    this.timestamps[i] = t;
    this.values[i] = value;
    this.length = i + 1;
  }

  /** Appends a sample given the value's 64-bit pattern as high and low 32-bit words. */
  pushBits(ref: number, t: number, hi: number, lo: number): void {
    const i = this.length;
    this.ensureCapacity(i + 1);
    this.refs[i] = ref;
    this.timestamps[i] = t;
    this.words[2 * i + HI] = hi;
    this.words[2 * i + LO] = lo;
    this.length = i + 1;
  }

  /** Appends sample `i` of `src` bit-exactly. */
  pushFrom(src: SampleBatch, i: number): void {
    this.pushBits(src.refs[i], src.timestamps[i], src.valueHi(i), src.valueLo(i));
  }

  valueHi(i: number): number {
    return this.words[2 * i + HI];
  }

  valueLo(i: number): number {
    return this.words[2 * i + LO];
  }

  /** The value's bit pattern, e.g. `0x7ff0000000000002n` for the stale marker. */
  valueBits(i: number): bigint {
    return (BigInt(this.valueHi(i)) << 32n) | BigInt(this.valueLo(i));
  }

  /** Whether value `i` is Prometheus's stale marker (tested by bits: other NaNs are not stale). */
  isStale(i: number): boolean {
    return isStaleNaNBits(this.valueHi(i), this.valueLo(i));
  }
}

/** Exemplars: samples plus the exemplar's own labels (e.g. a trace id). */
export class ExemplarBatch extends SampleBatch {
  labels: Labels[] = [];

  override reset(): void {
    super.reset();
    this.labels.length = 0;
  }

  /** Appends entry `i` of `src` bit-exactly, with its labels when `src` has them. */
  override pushFrom(src: SampleBatch, i: number): void {
    this.labels[this.length] = src instanceof ExemplarBatch ? src.labels[i] : [];
    super.pushFrom(src, i);
  }

  pushExemplarBits(ref: number, t: number, hi: number, lo: number, labels: Labels): void {
    this.labels[this.length] = labels;
    this.pushBits(ref, t, hi, lo);
  }
}

function grow(a: Float64Array, cap: number, used: number): Float64Array {
  const next = new Float64Array(cap);
  next.set(a.subarray(0, used));
  return next;
}
