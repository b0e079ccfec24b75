import type { TimedChunk } from '../block/trim';

/**
 * Splits chunks that may overlap (a series' out-of-order chunks) into as few lanes as a greedy
 * pass finds, each lane in time order without overlaps: what a series part must be. Chunks
 * cut from out-of-order data that arrived roughly in order end up in one lane.
 */
export function nonOverlappingLanes(chunks: readonly TimedChunk[]): TimedChunk[][] {
  const sorted = [...chunks].sort((a, b) => a.minTime - b.minTime);
  const lanes: TimedChunk[][] = [];
  for (const c of sorted) {
    const lane = lanes.find((l) => l[l.length - 1].maxTime < c.minTime);
    if (lane) lane.push(c);
    else lanes.push([c]);
  }
  return lanes;
}
