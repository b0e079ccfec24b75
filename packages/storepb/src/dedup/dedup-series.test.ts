import { describe, expect, it } from 'vitest';
import type { AggrChunk, Label } from '../types';
import { dedupSeriesSet, splitOverlappingChunks, stripReplicaLabels, type LabeledSamples } from './dedup-series';

const L = (o: Record<string, string>): Label[] => Object.entries(o).map(([name, value]) => ({ name, value }));

function series(labels: Record<string, string>, samples: [number, number][]): LabeledSamples {
  return {
    labels: L(labels),
    timestamps: Float64Array.from(samples, (x) => x[0]),
    values: Float64Array.from(samples, (x) => x[1]),
  };
}

const chunk = (minTime: number, maxTime: number): AggrChunk => ({
  minTime,
  maxTime,
  raw: { type: 0, data: Uint8Array.of(minTime & 0xff) },
});

describe('replica label removal and grouping', () => {
  it('removes replica labels, re-sorts, and merges each group of replicas', () => {
    const input = [
      series({ a: '1', c: '3', replica: 'r1' }, [
        [10000, 1],
        [20000, 2],
      ]),
      series({ a: '1', c: '3', d: '4' }, [[10000, 9]]),
      series({ a: '1', c: '3', replica: 'r2' }, [
        [60000, 3],
        [70000, 4],
      ]),
      series({ a: '1', c: '3', replica: 'r3' }, [
        [200000, 5],
        [210000, 6],
      ]),
      series({ a: '2', c: '3', replica: 'r1', replicaB: 'x' }, [[10000, 1]]),
    ];
    const stripped = stripReplicaLabels(input, ['replica', 'replicaB', 'not-present']);
    expect(stripped.map((s) => s.labels)).toEqual([
      L({ a: '1', c: '3' }),
      L({ a: '1', c: '3' }),
      L({ a: '1', c: '3' }),
      L({ a: '1', c: '3', d: '4' }),
      L({ a: '2', c: '3' }),
    ]);
    const out = [...dedupSeriesSet(stripped)].map((s) => ({
      labels: s.labels,
      samples: Array.from(s.timestamps, (t, i) => [t, s.values[i]]),
    }));
    expect(out).toEqual([
      {
        labels: L({ a: '1', c: '3' }),
        samples: [
          [10000, 1],
          [20000, 2],
          [60000, 3],
          [70000, 4],
          [200000, 5],
          [210000, 6],
        ],
      },
      { labels: L({ a: '1', c: '3', d: '4' }), samples: [[10000, 9]] },
      { labels: L({ a: '2', c: '3' }), samples: [[10000, 1]] },
    ]);
  });

  it('keeps the input label set object when no replica label occurs', () => {
    const s = series({ a: '1' }, []);
    expect(stripReplicaLabels([s], ['replica'])[0].labels).toBe(s.labels);
  });
});

describe('overlap split', () => {
  it('puts overlapping chunks into separate virtual replicas, greedily', () => {
    const c = [chunk(0, 100), chunk(50, 150), chunk(101, 200), chunk(120, 130), chunk(151, 300)];
    expect(splitOverlappingChunks(c)).toEqual([[c[0], c[2]], [c[1], c[4]], [c[3]]]);
  });

  it('keeps non-overlapping chunks in one list and an empty series as one empty list', () => {
    const c = [chunk(0, 100), chunk(101, 200)];
    expect(splitOverlappingChunks(c)).toEqual([c]);
    expect(splitOverlappingChunks([])).toEqual([[]]);
  });
});
