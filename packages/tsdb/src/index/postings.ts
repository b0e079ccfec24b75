// Set operations over postings: sorted, duplicate-free lists of series references.
// Inputs may be typed arrays or plain arrays; results are plain arrays.

/** Series references present in every list (an empty list of lists gives an empty result). */
export function intersectPostings(lists: readonly ArrayLike<number>[]): number[] {
  if (lists.length === 0) return [];
  const bySize = [...lists].sort((a, b) => a.length - b.length);
  let acc: ArrayLike<number> = bySize[0];
  for (let i = 1; i < bySize.length && acc.length > 0; i++) acc = intersectTwo(acc, bySize[i]);
  return Array.from(acc);
}

/** Walks the smaller list and gallops through the larger one, so a tiny list against a huge one is cheap. */
function intersectTwo(small: ArrayLike<number>, large: ArrayLike<number>): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < small.length && j < large.length; i++) {
    const v = small[i];
    j = seek(large, v, j);
    if (j < large.length && large[j] === v) out.push(v);
  }
  return out;
}

/** Index of the first element >= v at or after `from` (exponential then binary search). */
export function seek(list: ArrayLike<number>, v: number, from: number): number {
  if (from >= list.length || list[from] >= v) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < list.length && list[hi] < v) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > list.length) hi = list.length;
  // Invariant: list[lo] < v, and list[hi] >= v or hi === length.
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < v) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Union of the lists, sorted and deduplicated (pairwise merges in a balanced tree). */
export function mergePostings(lists: readonly ArrayLike<number>[]): number[] {
  if (lists.length === 0) return [];
  let level: ArrayLike<number>[] = [...lists];
  while (level.length > 1) {
    const next: ArrayLike<number>[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? mergeTwo(level[i], level[i + 1]) : level[i]);
    }
    level = next;
  }
  return Array.from(level[0]);
}

function mergeTwo(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x < y) {
      out[n++] = x;
      i++;
    } else if (y < x) {
      out[n++] = y;
      j++;
    } else {
      out[n++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++];
  while (j < b.length) out[n++] = b[j++];
  out.length = n;
  return out;
}

/** References of `full` that are not in `drop`. */
export function withoutPostings(full: ArrayLike<number>, drop: ArrayLike<number>): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < full.length; i++) {
    const v = full[i];
    j = seek(drop, v, j);
    if (j >= drop.length || drop[j] !== v) out.push(v);
  }
  return out;
}
