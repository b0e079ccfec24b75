// int64 <-> JS number. Values beyond ±(2^53-1) are clamped on decode, and the clamped
// sentinels encode back as Go's MinInt64 / MaxInt64 so "open" time ranges round-trip.

const TWO_32 = 4294967296;

export function int64FromParts(lo: number, hi: number): number {
  const n = (hi | 0) * TWO_32 + (lo >>> 0);
  if (n <= Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER;
  if (n >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  return n;
}

/** Two's complement halves of an integer-valued number, sentinels mapped to Go's extremes. */
export function int64Parts(n: number): { lo: number; hi: number } {
  if (n <= Number.MIN_SAFE_INTEGER) return { lo: 0, hi: 0x80000000 };
  if (n >= Number.MAX_SAFE_INTEGER) return { lo: 0xffffffff, hi: 0x7fffffff };
  const hi = Math.floor(n / TWO_32);
  return { lo: (n - hi * TWO_32) >>> 0, hi: hi >>> 0 };
}
