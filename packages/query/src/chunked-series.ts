// Selected series whose samples stay in their chunks until the engine reads them. A range
// function over a day of data visits series one at a time: decoding each just before into
// one reused block keeps its samples in cache, where decoding every series of the selection
// first wrote (and then read back) a gigabyte at 10k series.
import type { Labels, StorageSeries } from '@thanos-ts/promql';
import type { AggrChunk } from '@thanos-ts/storepb';
import type { DecodedSamples } from './sample-buffer';

/** Decodes the chunks of one replica (in time order) for the request's window. */
export interface ChunkDecoder {
  /** Into memory that lasts as long as the request. */
  persistent(chunks: readonly AggrChunk[]): DecodedSamples;
  /** Into memory the next transient decode of any series reuses. */
  transient(chunks: readonly AggrChunk[]): DecodedSamples;
}

export class ChunkedSeries implements StorageSeries {
  private decoded: DecodedSamples | undefined;

  constructor(
    readonly labels: Labels,
    private readonly chunks: readonly AggrChunk[],
    private readonly decoder: ChunkDecoder,
  ) {}

  get timestamps(): Float64Array {
    return this.samples().timestamps;
  }

  get values(): Float64Array {
    return this.samples().values;
  }

  transientSamples(): DecodedSamples {
    return this.decoded ?? this.decoder.transient(this.chunks);
  }

  private samples(): DecodedSamples {
    return (this.decoded ??= this.decoder.persistent(this.chunks));
  }
}
