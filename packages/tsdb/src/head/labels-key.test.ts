import { describe, expect, it } from 'vitest';
import type { Labels } from '../labels';
import {
  hashKey,
  hashLabelRanges,
  KeyArena,
  keyEqualsLabelRanges,
  labelRangesKey,
  labelsFromRanges,
  labelsKey,
  labelString,
  type LabelRanges,
} from './labels-key';

/** Lays labels out as a remote-write request does: each name and value somewhere in one buffer, with gaps. */
function asRanges(labels: Labels, skip = -1): LabelRanges {
  const enc = new TextEncoder();
  const bytes = new Uint8Array(4096);
  const refs: number[] = [];
  let pos = 3;
  for (const l of labels) {
    const ns = pos;
    pos += enc.encodeInto(l.name, bytes.subarray(pos)).written;
    const ne = pos;
    pos += 2;
    const vs = pos;
    pos += enc.encodeInto(l.value, bytes.subarray(pos)).written;
    refs.push(ns, ne, vs, pos);
    pos += 5;
  }
  return { bytes, refs: new Uint32Array(refs), from: 0, to: labels.length, skip };
}

const L = (...pairs: string[]): Labels => {
  const out = [];
  for (let i = 0; i < pairs.length; i += 2) out.push({ name: pairs[i], value: pairs[i + 1] });
  return out;
};

const sets: Labels[] = [
  L(),
  L('__name__', 'up'),
  L('__name__', 'up', 'job', 'node'),
  L('__name__', 'node_cpu_seconds_total', 'cpu', '12', 'instance', '10.0.0.1:9100', 'mode', 'idle'),
  L('a', 'bc'),
  L('ab', 'c'),
  L('a', 'b', 'c', 'd'),
  L('a', 'b', 'c', ''),
  L('name', 'é日本語 🙂 with multi-byte text'),
];

describe('series keys and hashes from label byte ranges', () => {
  it('hash and key from ranges equal those of the assembled key', () => {
    for (const ls of sets) {
      const r = asRanges(ls);
      expect(hashLabelRanges(r)).toBe(hashKey(labelsKey(ls)));
      expect(labelRangesKey(r).slice()).toEqual(labelsKey(ls));
      expect(keyEqualsLabelRanges(labelsKey(ls), r)).toBe(true);
    }
  });

  it('tells apart label sets whose concatenated bytes are alike', () => {
    const hashes = new Set(sets.map((ls) => hashKey(labelsKey(ls))));
    expect(hashes.size).toBe(sets.length);
    for (const a of sets) {
      for (const b of sets) {
        if (a !== b) expect(keyEqualsLabelRanges(labelsKey(a), asRanges(b))).toBe(false);
      }
    }
  });

  it('leaves out the skipped label', () => {
    const r = asRanges(L('a', '1', 'tenant', 'x', 'z', '2'), 1);
    const without = L('a', '1', 'z', '2');
    expect(hashLabelRanges(r)).toBe(hashKey(labelsKey(without)));
    expect(labelRangesKey(r).slice()).toEqual(labelsKey(without));
    expect(keyEqualsLabelRanges(labelsKey(without), r)).toBe(true);
    expect(keyEqualsLabelRanges(labelsKey(L('a', '1', 'tenant', 'x', 'z', '2')), r)).toBe(false);
  });

  it('hashes to non-negative 30-bit integers', () => {
    for (let i = 0; i < 1000; i++) {
      const h = hashKey(labelsKey(L('__name__', `metric_${i}`, 'i', String(i * 7919))));
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    }
  });

  it('decodes the labels of ranges, leaving out the skipped one', () => {
    expect(labelsFromRanges(asRanges(L('a', '1', 'tenant', 'x', 'z', 'é日本語'), 1))).toEqual(
      L('a', '1', 'z', 'é日本語'),
    );
  });
});

describe('labelString', () => {
  const bytes = (...b: number[]) => new Uint8Array([0x20, ...b, 0x20]);
  const decode = (b: Uint8Array) => labelString(b, 1, b.length - 1);

  it('decodes UTF-8, replacing invalid sequences as TextDecoder does', () => {
    const cases = [
      [0x6a, 0x6f, 0x62],
      [0xc3, 0xa9, 0x58],
      [0xe9, 0x58],
      [0x61, 0xff, 0x62],
      [0xf0, 0x9f, 0x99, 0x82],
    ];
    // twice: the second round is answered from the cache where it has the string
    for (let round = 0; round < 2; round++) {
      for (const c of cases) expect(decode(bytes(...c))).toBe(new TextDecoder().decode(new Uint8Array(c)));
    }
  });

  it('never answers with a cached string whose characters merely equal the bytes', () => {
    // "éX" is 2 UTF-16 units whose codes equal the (invalid UTF-8) bytes e9 58
    expect(decode(bytes(0xc3, 0xa9, 0x58))).toBe('éX');
    expect(decode(bytes(0xe9, 0x58))).toBe('\uFFFDX');
  });

  it('decodes long strings too', () => {
    const long = 'v'.repeat(300);
    expect(decode(bytes(...new TextEncoder().encode(long)))).toBe(long);
  });
});

describe('KeyArena', () => {
  it('keeps independent copies of the keys it is given', () => {
    const arena = new KeyArena();
    const scratch = new Uint8Array(50);
    const copies = [];
    for (let i = 0; i < 1000; i++) {
      scratch.fill(i & 0xff);
      copies.push(arena.copy(scratch.subarray(0, 1 + (i % 50))));
    }
    const big = arena.copy(new Uint8Array(5000).fill(7));
    copies.forEach((c, i) => expect(c).toEqual(new Uint8Array(1 + (i % 50)).fill(i & 0xff)));
    expect(big).toEqual(new Uint8Array(5000).fill(7));
  });
});
