import type { Label } from '@thanos-ts/storepb';
import type { BucketBlock } from './bucket-block';

/** The blocks of one external label set, by resolution (Thanos's `bucketBlockSet`). */
export class BlockSet {
  /** Resolutions present, coarsest first. */
  private resolutions: number[] = [];
  private readonly byResolution = new Map<number, BucketBlock[]>();

  constructor(readonly labels: Label[]) {}

  add(block: BucketBlock): void {
    let list = this.byResolution.get(block.resolution);
    if (!list) {
      this.byResolution.set(block.resolution, (list = []));
      this.resolutions = [...this.byResolution.keys()].sort((a, b) => b - a);
    }
    list.push(block);
    list.sort((a, b) => a.minTime - b.minTime);
  }

  get blocks(): BucketBlock[] {
    return [...this.byResolution.values()].flat();
  }

  /**
   * Blocks covering `[mint, maxt]` at the coarsest resolution not above
   * `maxResolution`, with gaps filled from finer resolutions (Thanos's `getFor`).
   */
  blocksFor(mint: number, maxt: number, maxResolution: number): BucketBlock[] {
    const i = this.resolutions.findIndex((r) => r <= maxResolution);
    return i < 0 ? [] : this.fill(mint, maxt, i);
  }

  private fill(mint: number, maxt: number, i: number): BucketBlock[] {
    if (mint > maxt) return [];
    const out: BucketBlock[] = [];
    const finer = i + 1 < this.resolutions.length ? i + 1 : undefined;
    let start = mint;
    for (const b of this.byResolution.get(this.resolutions[i]) ?? []) {
      if (b.maxTime < mint) continue;
      if (b.minTime > maxt) break;
      if (finer !== undefined) out.push(...this.fill(start, b.minTime - 1, finer));
      out.push(b);
      start = Math.max(start, b.maxTime + 1);
    }
    if (finer !== undefined) out.push(...this.fill(start, maxt, finer));
    return out;
  }
}
