// Building new blocks from opened source blocks: the compaction of several blocks into one,
// and the downsampled copy of one block. Series are streamed in label order; only the
// index entries of written series are held in memory.
import {
  Block,
  BlockQuerier,
  EncXOR,
  mergeSeriesSets,
  newMatcher,
  writeBlock,
  chunkNumSamples,
  type BlockMeta,
  type BlockSeries,
  type Chunk,
  type Series,
  type ThanosMeta,
  type TimedChunk,
} from '@thanos-ts/tsdb';
import { AggrChunkError, EncAggr, aggrChunkNumSamples } from '@thanos-ts/storepb';
import { RESOLUTION_RAW, downsampleAggrSeries, downsampleRawSeries } from './downsample';
import { mergeSeriesChunks, type DedupFunc } from './series-merge';

const ALL_SERIES = [newMatcher('=~', '__name__', '(?s:.*)')];
const ALL_TIME: [number, number] = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

function allSeries(block: Block): AsyncIterable<Series> {
  return new BlockQuerier(block).select(ALL_SERIES, ...ALL_TIME);
}

/** Opens every block directory, closing the opened ones if one fails. */
export async function openBlocks(dirs: readonly string[]): Promise<Block[]> {
  const blocks: Block[] = [];
  try {
    for (const d of dirs) blocks.push(await Block.open(d));
  } catch (e) {
    await Promise.all(blocks.map((b) => b.close()));
    throw e;
  }
  return blocks;
}

/** Samples of a raw chunk (its header) or of an AggrChunk (its count sub-chunk, as Thanos counts them). */
function chunkSamples(chunk: Chunk): number {
  return chunk.encoding === EncAggr ? aggrChunkNumSamples(chunk.data) : chunkNumSamples(chunk);
}

export interface CompactOptions {
  /** External labels and resolution of the group; written into the new block's Thanos section. */
  labels: Record<string, string>;
  resolution: number;
  dedup?: DedupFunc;
  ulid?: string;
  fsync?: boolean;
}

/**
 * Compacts opened blocks into one new block in `outDir`: level = max + 1, sources = union,
 * parents = the inputs. Overlapping chunks are merged (vertical compaction).
 */
export async function compactBlocks(
  blocks: readonly Block[],
  outDir: string,
  options: CompactOptions,
): Promise<BlockMeta> {
  const metas = blocks.map((b) => b.meta);
  const mint = Math.min(...metas.map((m) => m.minTime));
  const maxt = Math.max(...metas.map((m) => m.maxTime));
  const sources = [...new Set(metas.flatMap((m) => m.compaction.sources ?? [m.ulid]))].sort();
  const dedup = options.dedup ?? '';
  const merged = async function* (): AsyncGenerator<BlockSeries> {
    for await (const s of mergeSeriesSets(blocks.map(allSeries))) {
      yield { labels: s.labels, chunks: mergeSeriesChunks(s, mint, maxt - 1, dedup) };
    }
  };
  const thanos: ThanosMeta = {
    labels: options.labels,
    downsample: { resolution: options.resolution },
    source: 'compactor',
  };
  return writeBlock(outDir, merged(), {
    mint,
    maxt,
    ulid: options.ulid,
    fsync: options.fsync,
    level: Math.max(...metas.map((m) => m.compaction.level)) + 1,
    sources,
    parents: metas.map((m) => ({ ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime })),
    thanos,
    countSamples: chunkSamples,
  });
}

export class DownsampleError extends Error {
  override readonly name = 'DownsampleError';
}

/** Series that could not be downsampled (histograms), reported rather than dropped silently. */
export interface DownsampleReport {
  meta: BlockMeta;
  skippedSeries: string[];
}

/**
 * Writes a `resolution` copy of `block` into `outDir`: same labels, range and compaction
 * info, source `compactor`. Raw blocks are aggregated per window; aggregated blocks are
 * re-aggregated along their chunk boundaries.
 */
export async function downsampleBlock(
  block: Block,
  outDir: string,
  resolution: number,
  options: { ulid?: string; fsync?: boolean } = {},
): Promise<DownsampleReport> {
  const src = block.meta;
  const inRes = src.thanos?.downsample.resolution ?? RESOLUTION_RAW;
  if (resolution <= inRes)
    throw new DownsampleError(`block ${src.ulid}: cannot downsample resolution ${inRes} to ${resolution}`);
  const skippedSeries: string[] = [];
  const series = async function* (): AsyncGenerator<BlockSeries> {
    for await (const s of allSeries(block)) {
      const chunks = s.parts.flatMap((p) => p.chunks);
      let out: TimedChunk[];
      if (inRes === RESOLUTION_RAW) {
        if (chunks.some((c) => c.chunk.encoding !== EncXOR)) {
          skippedSeries.push(String(s.labels.map((l) => `${l.name}=${l.value}`).join(',')));
          continue;
        }
        out = downsampleRawSeries(s.samples(), resolution);
      } else {
        if (chunks.some((c) => c.chunk.encoding !== EncAggr)) {
          throw new AggrChunkError(`block ${src.ulid}: a series of a downsampled block has a non-aggregate chunk`);
        }
        out = downsampleAggrSeries(
          chunks.map((c) => c.chunk),
          src.minTime,
          src.maxTime,
          inRes,
          resolution,
        );
      }
      yield { labels: s.labels, chunks: out };
    }
  };
  const thanos: ThanosMeta = {
    labels: src.thanos?.labels ?? {},
    downsample: { resolution },
    source: 'compactor',
  };
  const meta = await writeBlock(outDir, series(), {
    mint: src.minTime,
    maxt: src.maxTime,
    ulid: options.ulid,
    fsync: options.fsync,
    level: src.compaction.level,
    sources: src.compaction.sources,
    ...(src.compaction.parents && { parents: src.compaction.parents }),
    thanos,
    countSamples: chunkSamples,
  });
  return { meta, skippedSeries };
}
