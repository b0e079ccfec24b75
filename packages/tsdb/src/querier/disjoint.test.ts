import { describe, expect, it } from 'vitest';
import { XorChunkEncoder, XorChunkIterator } from '../chunkenc';
import type { TimedChunk } from '../block/trim';
import { labelsFromRecord } from '../labels';
import { disjointChunks } from './disjoint';
import { Series } from './series';

function chunk(samples: Array<[number, number]>): TimedChunk {
  const enc = new XorChunkEncoder();
  for (const [t, v] of samples) enc.append(t, v);
  return { minTime: enc.minTime, maxTime: enc.maxTime, chunk: enc.toChunk() };
}

function samplesOf(chunks: readonly TimedChunk[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const c of chunks) {
    const it = new XorChunkIterator(c.chunk.data);
    while (it.next()) out.push([it.t, it.v]);
  }
  return out;
}

const labels = labelsFromRecord({ __name__: 'x' });

describe('disjointChunks', () => {
  it('passes chunks that overlap nothing through as they are', () => {
    const a = chunk([
      [1, 1],
      [2, 2],
    ]);
    const b = chunk([[3, 3]]);
    const c = chunk([[5, 5]]);
    const out = disjointChunks(
      new Series(
        labels,
        [
          { chunks: [a, c], deleted: [] },
          { chunks: [b], deleted: [] },
        ],
        0,
        10,
      ),
      0,
      10,
    );
    expect(out).toEqual([a, b, c]);
  });

  it('merges overlapping chunks of several parts into ordered chunks of at most 120 samples, earlier parts winning ties', () => {
    const evens: Array<[number, number]> = [];
    for (let t = 0; t < 300; t += 2) evens.push([t, t]);
    const odds: Array<[number, number]> = [];
    for (let t = 1; t < 300; t += 2) odds.push([t, -t]);
    const inOrder = chunk(evens);
    const outOfOrder = chunk(odds.slice(0, 100));
    const tie = chunk([
      [10, 99],
      [11, 99],
    ]);
    const after = chunk([[400, 4]]);
    const series = new Series(
      labels,
      [
        { chunks: [inOrder, after], deleted: [{ mint: 20, maxt: 21 }] },
        { chunks: [outOfOrder], deleted: [] },
        { chunks: [tie], deleted: [] },
      ],
      0,
      1000,
    );
    const out = disjointChunks(series, 0, 1000);
    expect(out.map((c) => c.maxTime < (out[out.indexOf(c) + 1]?.minTime ?? Infinity))).not.toContain(false);
    const got = samplesOf(out);
    const expected: Array<[number, number]> = [];
    for (let t = 0; t < 300; t++) {
      // The deletion belongs to the first part only: the second part's sample at 21 stays.
      if (t === 20) continue;
      if (t % 2 === 0) expected.push([t, t]);
      else if (t < 200) expected.push([t, -t]);
    }
    expected.push([400, 4]);
    expect(got).toEqual(expected);
    expect(out.slice(0, -1).map((c) => new XorChunkIterator(c.chunk.data).numSamples)).toEqual([120, 120, 9]);
    expect(out.at(-1)).toEqual(after);
  });

  it('hands back chunks that parts without deletions hold in time order as they are, overlapping ones merged', () => {
    const a = chunk([[1, 1]]);
    const b = chunk([[3, 3]]);
    const c = chunk([[9, 9]]);
    const inOrder = disjointChunks(new Series(labels, [{ chunks: [a, b, c], deleted: [] }], 2, 8), 2, 8);
    expect(inOrder).toEqual([b]);
    expect(inOrder[0]).toBe(b);
    const blocks = [
      { chunks: [a], deleted: [] },
      { chunks: [b, c], deleted: [] },
    ];
    const following = disjointChunks(new Series(labels, blocks, 0, 10), 0, 10);
    expect(following.length).toBe(3);
    [a, b, c].forEach((x, i) => expect(following[i]).toBe(x));
    const overlapping = chunk([
      [2, 20],
      [3, 30],
    ]);
    const merged = disjointChunks(new Series(labels, [{ chunks: [a, overlapping, b], deleted: [] }], 0, 10), 0, 10);
    expect(samplesOf(merged)).toEqual([
      [1, 1],
      [2, 20],
      [3, 30],
    ]);
  });
});
