import { describe, expect, it } from 'vitest';
import { XorChunkIterator } from '../chunkenc';
import { XorChunkSequenceEncoder, overlappingRuns } from './chunk-sequence';
import type { TimedChunk } from './trim';

describe('XorChunkSequenceEncoder', () => {
  it('cuts a chunk every 120 samples and keeps every value bit', () => {
    const encoder = new XorChunkSequenceEncoder();
    for (let i = 0; i < 250; i++) encoder.append(i * 1000, 0x7ff00000, i === 249 ? 2 : i);
    const chunks = encoder.finish();
    expect(chunks.map((c) => [c.minTime, c.maxTime])).toEqual([
      [0, 119_000],
      [120_000, 239_000],
      [240_000, 249_000],
    ]);
    const it = new XorChunkIterator(chunks[2].chunk.data);
    const lows: number[] = [];
    while (it.next()) {
      expect(it.vHi).toBe(0x7ff00000);
      lows.push(it.vLo);
    }
    expect(lows).toEqual([240, 241, 242, 243, 244, 245, 246, 247, 248, 2]);
  });

  it('appends to the list it is given and adds nothing without samples', () => {
    const existing: TimedChunk[] = [];
    expect(new XorChunkSequenceEncoder(existing).finish()).toBe(existing);
    expect(existing).toEqual([]);
  });
});

describe('overlappingRuns', () => {
  const chunk = (minTime: number, maxTime: number) => ({
    minTime,
    maxTime,
    chunk: { encoding: 1, data: new Uint8Array() },
  });

  it('groups chunks that overlap transitively and leaves the others alone', () => {
    const sorted = [chunk(0, 10), chunk(5, 20), chunk(20, 30), chunk(31, 40), chunk(50, 60), chunk(55, 56)];
    const runs = [...overlappingRuns(sorted)].map((run) => run.map((c) => c.minTime));
    expect(runs).toEqual([[0, 5, 20], [31], [50, 55]]);
  });
});
