import { DEFAULT_CHUNK_RANGE, SeriesChunkBuilder } from '../chunkenc';
import { labelsToString, type Labels } from '../labels';
import type { BlockMeta } from '../meta';
import { HI_WORD, LO_WORD, valueWords } from './value-words';
import { BlockWriteError, writeBlock, type WriteBlockOptions } from './writer';

/** One series as raw samples in time order; values keep their exact bit patterns in the Float64Array. */
export interface SampleSeries {
  labels: Labels;
  timestamps: ArrayLike<number>;
  values: Float64Array;
}

export interface WriteBlockFromSamplesOptions extends Partial<WriteBlockOptions> {
  /** Window width chunks are cut at (Prometheus' head chunk range); 2h by default. */
  chunkRange?: number;
}

/**
 * Writes a block from raw samples, cutting chunks exactly where Prometheus' head would
 * (SeriesChunkBuilder with `chunkRange`). Series must come in label order and each
 * series' timestamps must increase. `mint`/`maxt` default to the first sample and the
 * last sample + 1, as promtool's backfill writes them.
 */
export async function writeBlockFromSamples(
  dir: string,
  series: Iterable<SampleSeries>,
  options: WriteBlockFromSamplesOptions = {},
): Promise<BlockMeta> {
  let mint = Infinity;
  let maxt = -Infinity;
  const built: { labels: Labels; chunks: ReturnType<SeriesChunkBuilder['finish']> }[] = [];
  const builder = new SeriesChunkBuilder(options.chunkRange ?? DEFAULT_CHUNK_RANGE);
  for (const s of series) {
    const words = valueWords(s.values);
    if (s.timestamps.length !== s.values.length) {
      throw new BlockWriteError(
        `series ${labelsToString(s.labels)} has ${s.timestamps.length} timestamps but ${s.values.length} values`,
      );
    }
    for (let i = 0; i < s.timestamps.length; i++) {
      const t = s.timestamps[i];
      if (!builder.appendBits(t, words[2 * i + HI_WORD], words[2 * i + LO_WORD])) {
        throw new BlockWriteError(`series ${labelsToString(s.labels)}: sample at ${t} is not after the previous one`);
      }
      if (t < mint) mint = t;
      if (t > maxt) maxt = t;
    }
    built.push({ labels: s.labels, chunks: builder.finish() });
  }
  if (mint === Infinity) mint = maxt = 0;
  return writeBlock(dir, built, {
    mint: options.mint ?? mint,
    maxt: options.maxt ?? maxt + 1,
    ...withoutRange(options),
  });
}

function withoutRange(o: WriteBlockFromSamplesOptions): Omit<WriteBlockOptions, 'mint' | 'maxt'> {
  const { mint: _mint, maxt: _maxt, chunkRange: _range, ...rest } = o;
  return rest;
}
