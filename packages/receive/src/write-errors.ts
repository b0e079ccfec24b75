// Failure kinds of a write and their HTTP status, as Thanos maps causes (spec 1.3/1.6).

export type WriteFailureKind =
  'out_of_order' | 'duplicate' | 'out_of_bounds' | 'too_old' | 'too_far_in_future' | 'bad_labels' | 'head_series_limit';

/** Every failure kind above is a conflict (409) in Thanos except the head-series limit (429). */
export function statusForKind(kind: WriteFailureKind): number {
  return kind === 'head_series_limit' ? 429 : 409;
}

const KIND_TEXT: Record<WriteFailureKind, string> = {
  out_of_order: 'out of order sample',
  duplicate: 'duplicate sample for timestamp',
  out_of_bounds: 'out of bounds',
  too_old: 'too old sample',
  too_far_in_future: 'sample timestamp too far in the future',
  bad_labels: 'invalid labels',
  head_series_limit: 'tenant is above active series limit',
};

/**
 * What went wrong in one write: counts per kind and the first offending series of each,
 * so the response names something the sender can look for.
 */
export class WriteReport {
  readonly counts = new Map<WriteFailureKind, number>();
  readonly firstSeries = new Map<WriteFailureKind, string>();
  readonly details = new Map<WriteFailureKind, string>();
  samplesWritten = 0;

  add(kind: WriteFailureKind, series: () => string, n = 1, detail?: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
    if (!this.firstSeries.has(kind)) {
      this.firstSeries.set(kind, series());
      if (detail) this.details.set(kind, detail);
    }
  }

  merge(other: WriteReport): void {
    for (const [k, n] of other.counts) this.add(k, () => other.firstSeries.get(k)!, n, other.details.get(k));
    this.samplesWritten += other.samplesWritten;
  }

  get failed(): boolean {
    return this.counts.size > 0;
  }

  /** 429 wins over 409: the sender should back off rather than drop. */
  get status(): number {
    let status = 200;
    for (const k of this.counts.keys()) status = Math.max(status, statusForKind(k));
    return status === 200 ? 200 : status === 429 ? 429 : 409;
  }

  /** One line per failure kind, like Thanos's aggregated `add N samples: out of order sample`. */
  message(): string {
    return [...this.counts]
      .map(([k, n]) => {
        const d = this.details.get(k);
        return `${KIND_TEXT[k]}: ${n} ${k === 'bad_labels' || k === 'head_series_limit' ? 'series' : 'samples'} rejected, first: ${this.firstSeries.get(k)}${d ? ` (${d})` : ''}`;
      })
      .join('\n');
  }
}
