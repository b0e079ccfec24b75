import { Series, XorChunkEncoder, XorChunkIterator, labelsFromRecord, type TimedChunk } from '@thanos-ts/tsdb';
import { describe, expect, it } from 'vitest';
import { mergeSeriesChunks } from './series-merge';

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** An XOR chunk of (t, value-bits) samples; `null` values stand for the stale marker. */
function chunk(samples: [number, number | null][]): TimedChunk {
  const enc = new XorChunkEncoder();
  const view = new DataView(new ArrayBuffer(8));
  for (const [t, v] of samples) {
    if (v === null) enc.appendBits(t, STALE_HI, STALE_LO);
    else {
      view.setFloat64(0, v);
      enc.appendBits(t, view.getUint32(0), view.getUint32(4));
    }
  }
  return { minTime: enc.minTime, maxTime: enc.maxTime, chunk: enc.toChunk() };
}

function decode(chunks: TimedChunk[]): [number, string][] {
  const out: [number, string][] = [];
  for (const c of chunks) {
    const it = new XorChunkIterator(c.chunk.data);
    while (it.next()) out.push([it.t, `${it.vHi.toString(16)}:${it.vLo.toString(16)}`]);
  }
  return out;
}

const labels = labelsFromRecord({ __name__: 'x' });

describe('mergeSeriesChunks', () => {
  it('copies chunks that do not overlap unchanged', () => {
    const a = chunk([
      [0, 1],
      [10, 2],
    ]);
    const b = chunk([
      [20, 3],
      [30, 4],
    ]);
    const out = mergeSeriesChunks(
      new Series(
        labels,
        [
          { chunks: [b], deleted: [] },
          { chunks: [a], deleted: [] },
        ],
        0,
        100,
      ),
      0,
      100,
      '',
    );
    expect(out[0].chunk).toBe(a.chunk);
    expect(out[1].chunk).toBe(b.chunk);
  });

  it('merges overlapping chunks once per timestamp, keeping stale-marker bits', () => {
    const a = chunk([
      [0, 1],
      [10, null],
      [20, 3],
    ]);
    const b = chunk([
      [10, 9],
      [15, 5],
      [20, 3],
    ]);
    const out = mergeSeriesChunks(
      new Series(
        labels,
        [
          { chunks: [a], deleted: [] },
          { chunks: [b], deleted: [] },
        ],
        0,
        100,
      ),
      0,
      100,
      '',
    );
    expect(decode(out).map(([t]) => t)).toEqual([0, 10, 15, 20]);
    expect(decode(out)[1][1]).toBe('7ff00000:2');
  });

  it('penalty-merges replicas without touching value bits', () => {
    const a = chunk([
      [0, 1],
      [10, null],
      [20, 3],
    ]);
    const b = chunk([
      [1, 7],
      [11, 8],
      [21, 9],
    ]);
    const out = mergeSeriesChunks(
      new Series(
        labels,
        [
          { chunks: [a], deleted: [] },
          { chunks: [b], deleted: [] },
        ],
        0,
        100,
      ),
      0,
      100,
      'penalty',
    );
    expect(decode(out).map(([t]) => t)).toEqual([0, 10, 20]);
    expect(decode(out)[1][1]).toBe('7ff00000:2');
  });

  it('cuts deleted samples out (tombstones) and splits merged runs into 120-sample chunks', () => {
    const many = chunk(Array.from({ length: 200 }, (_, i) => [i, i] as [number, number]));
    const other = chunk([[50, 1]]);
    const out = mergeSeriesChunks(
      new Series(
        labels,
        [
          { chunks: [many], deleted: [{ mint: 10, maxt: 19 }] },
          { chunks: [other], deleted: [] },
        ],
        0,
        1000,
      ),
      0,
      1000,
      '',
    );
    const ts = decode(out).map(([t]) => t);
    expect(ts).toHaveLength(190);
    expect(ts.some((t) => t >= 10 && t <= 19)).toBe(false);
    expect(out.map((c) => (c.chunk.data[0] << 8) | c.chunk.data[1])).toEqual([120, 70]);
  });
});
