/** An inclusive deleted time range `[mint, maxt]` in milliseconds. */
export interface Interval {
  mint: number;
  maxt: number;
}

/** First index whose interval satisfies `pred` (intervals sorted; `pred` monotone). */
function search(list: readonly Interval[], from: number, pred: (iv: Interval) => boolean): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(list[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Adds `n` to a sorted list of disjoint intervals, merging it with every interval it
 * overlaps or touches (timestamps are discrete, so `[1,2]` and `[3,4]` merge), as
 * Prometheus' `Intervals.Add`. Mutates and returns `list`.
 */
export function addInterval(list: Interval[], n: Interval): Interval[] {
  const first = search(list, 0, (iv) => iv.maxt >= n.mint - 1);
  const end = search(list, first, (iv) => iv.mint > n.maxt + 1);
  if (first === end) {
    list.splice(first, 0, { mint: n.mint, maxt: n.maxt });
    return list;
  }
  const merged = {
    mint: Math.min(n.mint, list[first].mint),
    maxt: Math.max(n.maxt, list[end - 1].maxt),
  };
  list.splice(first, end - first, merged);
  return list;
}

/** Whether `t` lies in one of the sorted intervals. */
export function inIntervals(list: readonly Interval[], t: number): boolean {
  const i = search(list, 0, (iv) => iv.maxt >= t);
  return i < list.length && list[i].mint <= t;
}
