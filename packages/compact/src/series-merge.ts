// Merging one series' chunks from several source blocks into the chunks of the compacted
// block: chunks that do not overlap are kept byte for byte (as Prometheus' compactor does),
// overlapping runs are expanded, merged (chained 1:1 or Thanos' penalty dedup) and
// re-encoded into chunks of at most 120 samples.
import { dedupSamples, type SampleSeries } from '@thanos-ts/storepb';
import {
  EncXOR,
  XorChunkIterator,
  XorChunkSequenceEncoder,
  chunksForBlock,
  overlappingRuns,
  type Series,
  type TimedChunk,
} from '@thanos-ts/tsdb';
import { labelsToString } from '@thanos-ts/tsdb';

/** `""`: identical timestamps collapsed (Prometheus' chained merge); `penalty`: replicas deduplicated as the querier does. */
export type DedupFunc = '' | 'penalty';

/** Overlapping data that cannot be merged (non-float chunks), so the group cannot be compacted. */
export class UnmergeableOverlapError extends Error {
  override readonly name = 'UnmergeableOverlapError';
}

interface SourcedChunk extends TimedChunk {
  /** Index of the source (block) the chunk comes from. */
  part: number;
}

/** The samples of some chunks as timestamps plus value words (hi, lo) that keep every bit. */
interface Expanded {
  timestamps: Float64Array;
  words: Uint32Array;
}

function expand(chunks: readonly TimedChunk[]): Expanded {
  let total = 0;
  for (const c of chunks) total += (c.chunk.data[0] << 8) | c.chunk.data[1];
  const timestamps = new Float64Array(total);
  const words = new Uint32Array(total * 2);
  const it = new XorChunkIterator();
  let n = 0;
  for (const c of chunks) {
    it.reset(c.chunk.data);
    while (it.next()) {
      timestamps[n] = it.t;
      words[2 * n] = it.vHi;
      words[2 * n + 1] = it.vLo;
      n++;
    }
    if (it.err) throw it.err;
  }
  return { timestamps: timestamps.subarray(0, n), words: words.subarray(0, 2 * n) };
}

/** Encodes samples picked by `order` (indices into `src`) into ≤120-sample XOR chunks. */
function encodeMerged(src: Expanded, order: ArrayLike<number>, out: TimedChunk[]): void {
  const encoder = new XorChunkSequenceEncoder(out);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    encoder.append(src.timestamps[i], src.words[2 * i], src.words[2 * i + 1]);
  }
  encoder.finish();
}

/** Chained merge: all samples by time; of equal timestamps the one of the earliest source wins. */
function chainOrder(all: Expanded, partOf: Int32Array): number[] {
  const idx = Array.from({ length: all.timestamps.length }, (_, i) => i);
  idx.sort((a, b) => all.timestamps[a] - all.timestamps[b] || partOf[a] - partOf[b] || a - b);
  const out: number[] = [];
  for (const i of idx) if (out.length === 0 || all.timestamps[out[out.length - 1]] !== all.timestamps[i]) out.push(i);
  return out;
}

/**
 * Penalty dedup with each source as one replica. The storepb implementation is reused on
 * sample indices instead of values (it never looks at values outside counter mode), so the
 * original value bits, NaN payloads included, are copied unchanged.
 */
function penaltyOrder(all: Expanded, partOf: Int32Array): number[] {
  const byPart = new Map<number, number[]>();
  for (let i = 0; i < partOf.length; i++) {
    let list = byPart.get(partOf[i]);
    if (!list) byPart.set(partOf[i], (list = []));
    list.push(i);
  }
  const replicas: SampleSeries[] = [...byPart.keys()]
    .sort((a, b) => a - b)
    .map((p) => {
      const idx = byPart.get(p)!.sort((a, b) => all.timestamps[a] - all.timestamps[b]);
      return { timestamps: Float64Array.from(idx, (i) => all.timestamps[i]), values: Float64Array.from(idx) };
    });
  return Array.from(dedupSamples(replicas).values);
}

function mergeRun(run: readonly SourcedChunk[], dedup: DedupFunc, labels: string, out: TimedChunk[]): void {
  for (const c of run) {
    if (c.chunk.encoding !== EncXOR) {
      throw new UnmergeableOverlapError(
        `series ${labels}: overlapping chunks of encoding ${c.chunk.encoding} cannot be merged (only float XOR chunks can)`,
      );
    }
  }
  const all = expand(run);
  const partOf = new Int32Array(all.timestamps.length);
  let n = 0;
  for (const c of run) {
    const count = (c.chunk.data[0] << 8) | c.chunk.data[1];
    partOf.fill(c.part, n, n + count);
    n += count;
  }
  encodeMerged(all, dedup === 'penalty' ? penaltyOrder(all, partOf) : chainOrder(all, partOf), out);
}

/**
 * The chunks of `series` (one part per source block) for a block covering `[mint, maxt]`:
 * tombstones applied, non-overlapping chunks copied, overlapping runs merged.
 */
export function mergeSeriesChunks(series: Series, mint: number, maxt: number, dedup: DedupFunc): TimedChunk[] {
  const chunks: SourcedChunk[] = [];
  series.parts.forEach((p, part) => {
    // Deleted samples can only be cut out of XOR chunks; other chunks (aggregates, histograms)
    // that are not wholly deleted (the querier drops those) are kept whole.
    const kept =
      p.deleted.length === 0
        ? p.chunks
        : p.chunks.flatMap((c) => (c.chunk.encoding === EncXOR ? chunksForBlock([c], mint, maxt, p.deleted) : [c]));
    for (const c of kept) chunks.push({ ...c, part });
  });
  chunks.sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime || a.part - b.part);
  const out: TimedChunk[] = [];
  let labels: string | undefined;
  for (const run of overlappingRuns(chunks)) {
    if (run.length === 1) out.push(run[0]);
    else mergeRun(run, dedup, (labels ??= labelsToString(series.labels)), out);
  }
  return out;
}
