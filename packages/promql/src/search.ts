// Binary searches over ascending timestamp arrays.

/** First index in ts[0, n) with ts[i] >= t. */
export function lowerBound(ts: Float64Array, t: number, n = ts.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in ts[0, n) with ts[i] > t (timestamps are integer milliseconds). */
export function upperBound(ts: Float64Array, t: number, n = ts.length): number {
  return lowerBound(ts, t + 1, n);
}
