import { describe, expect, it } from 'vitest';
import { intersectPostings, mergePostings, seek, withoutPostings } from './postings';
import { seededRandom } from '@thanos-ts/testkit';

function randomSorted(rand: () => number, universe: number, density: number): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < universe; i++) if (rand() < density) out.push(i);
  return Uint32Array.from(out);
}

describe('postings set operations', () => {
  it('agree with set arithmetic on random lists of very different sizes', () => {
    const rand = seededRandom(42);
    for (let round = 0; round < 200; round++) {
      const universe = 1 + Math.floor(rand() * 3000);
      const k = 1 + Math.floor(rand() * 5);
      const lists = Array.from({ length: k }, () => randomSorted(rand, universe, rand() ** 3));
      const sets = lists.map((l) => new Set(l));
      const all = [...Array(universe).keys()];
      expect(intersectPostings(lists)).toEqual(all.filter((v) => sets.every((s) => s.has(v))));
      expect(mergePostings(lists)).toEqual(all.filter((v) => sets.some((s) => s.has(v))));
      expect(withoutPostings(lists[0], lists[k - 1])).toEqual(Array.from(lists[0]).filter((v) => !sets[k - 1].has(v)));
    }
  });

  it('handle empty inputs', () => {
    expect(intersectPostings([])).toEqual([]);
    expect(mergePostings([])).toEqual([]);
    expect(intersectPostings([[1, 2], []])).toEqual([]);
    expect(mergePostings([[], [3]])).toEqual([3]);
    expect(withoutPostings([], [1])).toEqual([]);
    expect(withoutPostings([1, 2], [])).toEqual([1, 2]);
  });

  it('work on references beyond 32 bits', () => {
    const big = [2 ** 40, 2 ** 40 + 1, 2 ** 52];
    expect(intersectPostings([big, [1, 2 ** 40 + 1]])).toEqual([2 ** 40 + 1]);
    expect(mergePostings([big, [5]])).toEqual([5, ...big]);
  });

  it('seek finds the first element not below the target', () => {
    const list = [1, 3, 5, 7, 9, 11, 13];
    for (let from = 0; from <= list.length; from++) {
      for (let v = 0; v <= 14; v++) {
        let want = from;
        while (want < list.length && list[want] < v) want++;
        expect(seek(list, v, from)).toBe(want);
      }
    }
  });
});
