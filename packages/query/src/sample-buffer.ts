// Growable sample arrays, optionally inside a SampleArena, that keep values bit-exact.
import { decodeXorInto } from '@thanos-ts/tsdb';
import type { SampleArena } from './sample-arena';

export interface DecodedSamples {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Which half of a float64 each Uint32 word holds (platform byte order). */
export const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
export const LO = 1 - HI;

/**
 * Growable sample arrays that keep timestamps strictly increasing and values bit-exact.
 * With an arena it writes into a reserved slot and only leaves it (for arrays of its
 * own) when more samples come than were reserved.
 */
export class SampleBuffer {
  private ts: Float64Array;
  private vs: Float64Array;
  private words: Uint32Array;
  /** Index of sample 0 in the arrays (non-zero inside an arena slot). */
  private start = 0;
  private n = 0;
  private capacity: number;
  private arena: SampleArena | undefined;

  constructor(capacity: number, arena?: SampleArena) {
    this.capacity = capacity;
    if (arena) {
      const slot = arena.reserve(capacity);
      this.ts = slot.timestamps;
      this.vs = slot.values;
      this.words = slot.words;
      this.start = slot.start;
      this.arena = arena;
    } else {
      this.ts = new Float64Array(capacity);
      this.vs = new Float64Array(capacity);
      this.words = new Uint32Array(this.vs.buffer);
    }
  }

  /** Whether `t` follows the last sample; chunks of one replica never overlap, so a repeat is dropped. */
  accepts(t: number): boolean {
    return this.n === 0 || t > this.ts[this.start + this.n - 1];
  }

  pushBits(t: number, hi: number, lo: number): void {
    if (this.n === this.capacity) this.grow();
    const i = this.start + this.n++;
    this.ts[i] = t;
    this.words[2 * i + HI] = hi;
    this.words[2 * i + LO] = lo;
  }

  /**
   * Decodes XOR chunk bytes straight into the arrays: the samples in [mint, maxt] that
   * follow the last one (chunks of one replica never overlap, so a repeat is dropped).
   */
  appendXor(data: Uint8Array, mint: number, maxt: number): void {
    const count = data.length >= 2 ? (data[0] << 8) | data[1] : 0;
    if (this.n + count > this.capacity) this.grow(this.n + count);
    const start = this.start;
    const last = this.n === 0 ? -Infinity : this.ts[start + this.n - 1];
    this.n = decodeXorInto(data, mint, maxt, last, this.ts, this.words, start + this.n) - start;
  }

  push(t: number, v: number): void {
    if (this.n === this.capacity) this.grow();
    const i = this.start + this.n++;
    this.ts[i] = t;
    this.vs[i] = v;
  }

  finish(): DecodedSamples {
    const n = this.n;
    if (this.arena) return this.arena.commit(n);
    return n === this.ts.length
      ? { timestamps: this.ts, values: this.vs }
      : { timestamps: this.ts.slice(0, n), values: this.vs.slice(0, n) };
  }

  private grow(atLeast = 0): void {
    const cap = Math.max(16, this.capacity * 2, atLeast);
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    ts.set(this.ts.subarray(this.start, this.start + this.n));
    vs.set(this.vs.subarray(this.start, this.start + this.n));
    this.arena?.commit(0);
    this.arena = undefined;
    this.ts = ts;
    this.vs = vs;
    this.words = new Uint32Array(vs.buffer);
    this.start = 0;
    this.capacity = cap;
  }
}
