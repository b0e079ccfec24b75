// One shared scratch buffer converts between a float64 and its two 32-bit halves.
// Values never pass through plain JS arrays, so NaN payloads (the stale marker) survive.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high word in `u32` (platform byte order). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** High 32 bits of the IEEE-754 pattern of `v`. Call {@link floatLoBits} right after for the rest. */
export function floatHiBits(v: number): number {
  f64[0] = v;
  return u32[HI];
}

/** Low 32 bits of the pattern last passed to {@link floatHiBits}. */
export function floatLoBits(): number {
  return u32[LO];
}

/** The float64 with the given bit pattern. */
export function floatFromBits(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0];
}

/** Prometheus' staleness marker NaN, 0x7ff0000000000002. */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

export function isStaleNaNBits(hi: number, lo: number): boolean {
  return hi === STALE_NAN_HI && lo === STALE_NAN_LO;
}
