import { describe, expect, it } from 'vitest';
import type { AggrChunk, Label, Series } from '../types';
import { mergeChunks } from './chunk-dedup';
import { mergeSeriesBatches, mergeSeriesSets } from './merge-series';

const L = (o: Record<string, string>): Label[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const raw = (minTime: number, maxTime: number, ...bytes: number[]): AggrChunk => ({
  minTime,
  maxTime,
  raw: { type: 0, data: Uint8Array.from(bytes) },
});

async function* stream(series: Series[]): AsyncGenerator<Series> {
  for (const s of series) {
    await Promise.resolve();
    yield s;
  }
}

async function collect(it: AsyncIterable<Series>): Promise<Series[]> {
  const out: Series[] = [];
  for await (const s of it) out.push(s);
  return out;
}

describe('mergeSeriesSets', () => {
  it('merges sorted streams into one sorted stream, joining equal label sets', async () => {
    const storeA = [
      { labels: L({ __name__: 'up', job: 'a' }), chunks: [raw(0, 99, 1), raw(100, 199, 2)] },
      { labels: L({ __name__: 'up', job: 'c' }), chunks: [raw(0, 99, 3)] },
    ];
    const storeB = [
      { labels: L({ __name__: 'up', job: 'a' }), chunks: [raw(100, 199, 2), raw(200, 299, 4)] },
      { labels: L({ __name__: 'up', job: 'b' }), chunks: [raw(0, 99, 5)] },
    ];
    const storeC = [{ labels: L({ __name__: 'up' }), chunks: [] }];
    const out = await collect(mergeSeriesSets([stream(storeA), stream(storeB), storeC]));
    expect(out.map((s) => s.labels)).toEqual([
      L({ __name__: 'up' }),
      L({ __name__: 'up', job: 'a' }),
      L({ __name__: 'up', job: 'b' }),
      L({ __name__: 'up', job: 'c' }),
    ]);
    // The identical [100,199] chunk arrives from both stores and is kept once.
    expect(out[1].chunks.map((c) => [c.minTime, [...c.raw!.data]])).toEqual([
      [0, [1]],
      [100, [2]],
      [200, [4]],
    ]);
  });

  it('orders label values by UTF-8 bytes, shorter label sets first', async () => {
    const out = await collect(
      mergeSeriesSets([
        [{ labels: L({ a: '\u{1F600}' }), chunks: [] }],
        [{ labels: L({ a: '\uFFFD' }), chunks: [] }],
        [
          { labels: L({ a: 'x' }), chunks: [] },
          { labels: L({ a: 'x', b: '' }), chunks: [] },
        ],
      ]),
    );
    expect(out.map((s) => s.labels[0].value + (s.labels[1] ? '+b' : ''))).toEqual(['x', 'x+b', '\uFFFD', '\u{1F600}']);
  });

  it('stops the other streams when the consumer stops early', async () => {
    let closed = 0;
    async function* endless(name: string): AsyncGenerator<Series> {
      try {
        for (let i = 0; ; i++) yield { labels: L({ i: String(i).padStart(6, '0'), s: name }), chunks: [] };
      } finally {
        closed++;
      }
    }
    let n = 0;
    for await (const _s of mergeSeriesSets([endless('a'), endless('b')])) if (++n === 5) break;
    expect(closed).toBe(2);
  });

  it('fails when a stream fails', async () => {
    async function* failing(): AsyncGenerator<Series> {
      yield { labels: L({ a: '1' }), chunks: [] };
      throw new Error('store 10.0.0.1:10901 went away');
    }
    await expect(collect(mergeSeriesSets([failing(), [{ labels: L({ a: '2' }), chunks: [] }]]))).rejects.toThrow(
      'went away',
    );
  });
});

describe('mergeSeriesBatches', () => {
  const s = (job: string, ...chunks: AggrChunk[]): Series => ({ labels: L({ __name__: 'up', job }), chunks });

  async function* batches(...bs: Series[][]): AsyncGenerator<Series[]> {
    for (const b of bs) {
      await Promise.resolve();
      yield b;
    }
  }

  it('merges batched and single-series streams, joining equal label sets across batch boundaries', async () => {
    const out: Series[][] = [];
    for await (const b of mergeSeriesBatches([
      batches([s('a', raw(0, 9, 1)), s('c', raw(0, 9, 2))], [], [s('c', raw(10, 19, 3)), s('e', raw(0, 9, 4))]),
      stream([s('b', raw(0, 9, 5)), s('c', raw(20, 29, 6))]),
    ])) {
      out.push(b);
    }
    const merged = out.flat();
    expect(merged.map((x) => x.labels[1].value)).toEqual(['a', 'b', 'c', 'e']);
    // c came in two batches of the first stream and once from the second
    expect(merged[2].chunks.map((c) => c.raw!.data[0])).toEqual([2, 3, 6]);
    // A batch passes on in one step, but for its last series: the next batch may continue it.
    const single: Series[][] = [];
    for await (const b of mergeSeriesBatches([batches([s('a'), s('b'), s('c')], [s('d')])])) single.push(b);
    expect(single.map((b) => b.map((x) => x.labels[1].value))).toEqual([['a', 'b'], ['c'], ['d']]);
  });
});

describe('mergeChunks', () => {
  it('keeps a chunk while one of its sub-chunks is new, like Thanos, and sorts by min then max time', () => {
    const agg = (minTime: number, count: number, sum: number): AggrChunk => ({
      minTime,
      maxTime: minTime + 99,
      count: { type: 0, data: Uint8Array.of(count) },
      sum: { type: 0, data: Uint8Array.of(sum) },
    });
    const merged = mergeChunks([
      [agg(100, 1, 2), agg(0, 3, 4)],
      [agg(100, 1, 2), agg(100, 1, 2), agg(100, 1, 9), raw(0, 50, 7), raw(0, 50, 7)],
    ]);
    // Only the first new sub-chunk of a kept chunk is recorded: the second copy of
    // agg(100,1,2) is kept through its sum, the third has nothing new and is dropped.
    expect(merged.map((c) => [c.minTime, c.maxTime, c.count?.data[0], c.sum?.data[0]])).toEqual([
      [0, 50, undefined, undefined],
      [0, 99, 3, 4],
      [100, 199, 1, 2],
      [100, 199, 1, 2],
      [100, 199, 1, 9],
    ]);
  });
});
