/**
 * Reads a counter's raw samples as one monotonic series, as Thanos's counter-reset adjustment
 * does for downsampled counters: a value below the previous one is a reset and adds its full
 * value; a repeated timestamp (how a downsampled counter chunk carries its true last raw value)
 * only replaces the raw value the next one is compared with; NaN samples are skipped.
 */
export class CounterTotal {
  /** The adjusted value at `lastT`. */
  total = 0;
  /** Timestamp of the last sample that yielded a point. */
  lastT = 0;
  /** The last raw value, what a reset is detected against. */
  lastRaw = 0;
  started = false;

  /** Takes the next sample; true when it yields a point: `total` at `t`. */
  add(t: number, v: number): boolean {
    if (v !== v) return false;
    if (!this.started) {
      this.started = true;
      this.total = v;
    } else if (t > this.lastT) {
      this.total += v >= this.lastRaw ? v - this.lastRaw : v;
    } else {
      if (t === this.lastT) this.lastRaw = v;
      return false;
    }
    this.lastT = t;
    this.lastRaw = v;
    return true;
  }
}
