/** A half-open byte range `[start, end)` of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Ranges to fetch with one read each, and which requested ranges each one serves. */
export interface RangeGroup extends ByteRange {
  members: number[];
}

/**
 * Groups ranges (any order, may overlap) into reads: ranges less than `maxGap` bytes apart
 * share one read as long as it spans at most `maxSpan` bytes. Fewer, larger reads are what
 * object storage wants; local sources do not care.
 */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap: number, maxSpan: number): RangeGroup[] {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a].start - ranges[b].start);
  const groups: RangeGroup[] = [];
  let cur: RangeGroup | undefined;
  for (const i of order) {
    const r = ranges[i];
    if (cur !== undefined && r.start - cur.end <= maxGap && Math.max(cur.end, r.end) - cur.start <= maxSpan) {
      cur.end = Math.max(cur.end, r.end);
      cur.members.push(i);
    } else {
      cur = { start: r.start, end: r.end, members: [i] };
      groups.push(cur);
    }
  }
  return groups;
}
