import { addInterval, inIntervals, type Interval } from './intervals';

/** Deleted time ranges per series ref (Prometheus' `MemTombstones`). */
export class TombstoneSet {
  private readonly bySeries = new Map<number, Interval[]>();

  /** Marks the intervals of `ref` deleted, merging with what is already there; empty ones (mint > maxt) delete nothing. */
  add(ref: number, ...intervals: Interval[]): void {
    for (const iv of intervals) {
      if (iv.mint > iv.maxt) continue;
      let list = this.bySeries.get(ref);
      if (list === undefined) {
        list = [];
        this.bySeries.set(ref, list);
      }
      addInterval(list, iv);
    }
  }

  /** The sorted, disjoint deleted intervals of `ref` (empty when none). */
  get(ref: number): readonly Interval[] {
    return this.bySeries.get(ref) ?? [];
  }

  isDeleted(ref: number, t: number): boolean {
    const list = this.bySeries.get(ref);
    return list !== undefined && inIntervals(list, t);
  }

  /** Drops the tombstones of the given series. */
  deleteSeries(refs: Iterable<number>): void {
    for (const ref of refs) this.bySeries.delete(ref);
  }

  /** Drops intervals that end before `t` (they cover no retained data). */
  truncateBefore(t: number): void {
    for (const [ref, list] of this.bySeries) {
      const kept = list.filter((iv) => iv.maxt >= t);
      if (kept.length === 0) this.bySeries.delete(ref);
      else this.bySeries.set(ref, kept);
    }
  }

  /** Series refs with tombstones. */
  get seriesCount(): number {
    return this.bySeries.size;
  }

  /** Number of intervals over all series (`numTombstones` in meta.json). */
  get total(): number {
    let n = 0;
    for (const list of this.bySeries.values()) n += list.length;
    return n;
  }

  /** `[ref, intervals]` pairs in ascending ref order. */
  entries(): Array<[number, readonly Interval[]]> {
    return [...this.bySeries.entries()].sort((a, b) => a[0] - b[0]);
  }
}
