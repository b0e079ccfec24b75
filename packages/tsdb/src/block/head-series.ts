import type { Head } from '../head';
import { newMatcher } from '../labels';
import { chunksForBlock } from './trim';
import type { BlockMeta } from '../meta';
import { writeBlock, type BlockSeries, type WriteBlockOptions } from './writer';

/**
 * The head's series for a block covering `[mint, maxt)` (maxt exclusive, as in meta.json),
 * in label order, with chunks trimmed to the range and deleted samples removed as
 * Prometheus' head compaction does. Feed it to {@link writeBlock}; pass
 * {@link headSymbols} as `extraSymbols` for a symbol table identical to Prometheus'.
 */
export async function* headBlockSeries(head: Head, mint: number, maxt: number): AsyncGenerator<BlockSeries> {
  const last = maxt - 1;
  const all = await head.select([newMatcher('=~', '__name__', '(?s:.*)')], mint, last);
  for (const s of all) {
    const chunks = chunksForBlock(s.chunks(mint, last), mint, last, head.deletedIntervals(s.ref));
    if (chunks.length > 0) yield { labels: s.labels, chunks };
  }
}

/** Every label name and value of the head's series (what Prometheus' head index lists as symbols). */
export function headSymbols(head: Head): Set<string> {
  const out = new Set<string>();
  for (const name of head.labelNames()) {
    out.add(name);
    for (const v of head.labelValues(name)) out.add(v);
  }
  return out;
}

/**
 * Persists the head's samples in `[options.mint, options.maxt)` as a block in `dir`, as
 * Prometheus' head compaction does (chunks cut at the range, tombstones applied, the
 * symbol table of the whole head). Returns the block's meta.
 */
export function writeHeadBlock(dir: string, head: Head, options: WriteBlockOptions): Promise<BlockMeta> {
  return writeBlock(dir, headBlockSeries(head, options.mint, options.maxt), {
    extraSymbols: headSymbols(head),
    ...options,
  });
}
