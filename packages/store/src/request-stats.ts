import { LimitExceededError } from './errors';

/** Limits of one Series request (0 = none), with the flag that sets each, for messages. */
export interface SeriesLimits {
  series: number;
  seriesFlag?: string;
  samples: number;
  samplesFlag?: string;
}

/** What one Series request touched and fetched, and the limits it is held to. */
export class RequestStats {
  blocksQueried = 0;
  postingsTouched = 0;
  postingsFetched = 0;
  seriesTouched = 0;
  seriesFetched = 0;
  chunksTouched = 0;
  chunksFetched = 0;
  samples = 0;
  warnings: string[] = [];

  constructor(private readonly limits: SeriesLimits = { series: 0, samples: 0 }) {}

  addSeries(n: number): void {
    this.seriesTouched += n;
    const limit = this.limits.series;
    if (limit > 0 && this.seriesTouched > limit) {
      throw new LimitExceededError(
        'series',
        `exceeded series limit: limit ${limit} violated (got ${this.seriesTouched}); set by ${this.limits.seriesFlag ?? 'the series limit'}`,
      );
    }
  }

  addSamples(n: number): void {
    this.samples += n;
    const limit = this.limits.samples;
    if (limit > 0 && this.samples > limit) {
      throw new LimitExceededError(
        'samples',
        `exceeded samples limit: limit ${limit} violated (got ${this.samples}); set by ${this.limits.samplesFlag ?? 'the samples limit'}`,
      );
    }
  }
}
