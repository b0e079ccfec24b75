import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, seededRandom } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { walkChunkSegment } from '../chunks';
import { CorruptionError } from '../encoding';
import { XorChunkEncoder, XorChunkIterator, decodeXorInto } from './index';

const blocksDir = join(fixturesDir, 'openmetrics-blocks/blocks');

function fixtureChunks(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const block of readdirSync(blocksDir).sort()) {
    const file = join(blocksDir, block, 'chunks/000001');
    for (const { chunk } of walkChunkSegment(readFileSync(file), file)) out.push(new Uint8Array(chunk.data));
  }
  return out;
}

/** Decoded samples: timestamps and the values' words, as one comparable byte string. */
interface Decoded {
  ts: number[];
  words: number[];
}

/** What the sample iterator yields under the same window and "after" rule. */
function viaIterator(data: Uint8Array, mint: number, maxt: number, after: number): Decoded | CorruptionError {
  const it = new XorChunkIterator(data);
  const out: Decoded = { ts: [], words: [] };
  let last = after;
  while (it.next()) {
    if (it.t > maxt) return out;
    if (it.t < mint || it.t <= last) continue;
    out.ts.push(it.t);
    out.words.push(it.vHi, it.vLo);
    last = it.t;
  }
  return it.err ?? out;
}

function viaBulk(data: Uint8Array, mint: number, maxt: number, after: number): Decoded | CorruptionError {
  const cap = 3 + Math.max(0, (data[0] << 8) | data[1]);
  const ts = new Float64Array(cap);
  const values = new Float64Array(cap);
  const words = new Uint32Array(values.buffer);
  // Written from index 3 on, to check the start index is honoured.
  let n: number;
  try {
    n = decodeXorInto(data, mint, maxt, after, ts, words, 3);
  } catch (err) {
    if (err instanceof CorruptionError) return err;
    throw err;
  }
  const hi = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
  const out: Decoded = { ts: [], words: [] };
  for (let i = 3; i < n; i++) {
    out.ts.push(ts[i]);
    out.words.push(words[2 * i + hi], words[2 * i + 1 - hi]);
  }
  return out;
}

/** The chunk alone in a buffer of its own (decoded from a padded copy) and inside a larger one. */
function placements(data: Uint8Array): Uint8Array[] {
  const big = new Uint8Array(data.length + 100);
  big.set(data, 17);
  return [data.slice(), big.subarray(17, 17 + data.length)];
}

function expectSame(data: Uint8Array, mint = -Infinity, maxt = Infinity, after = -Infinity): void {
  const want = viaIterator(data, mint, maxt, after);
  for (const d of placements(data)) {
    const got = viaBulk(d, mint, maxt, after);
    if (want instanceof CorruptionError) expect(got).toBeInstanceOf(CorruptionError);
    else expect(got).toEqual(want);
  }
}

function encode(ts: number[], bits: Array<[number, number]>): Uint8Array {
  const enc = new XorChunkEncoder();
  ts.forEach((t, i) => enc.appendBits(t, bits[i][0], bits[i][1]));
  return enc.toChunk().data;
}

describe('decodeXorInto', () => {
  const chunks = fixtureChunks();

  it('decodes every Prometheus fixture chunk as the sample iterator does, bit for bit', () => {
    for (const c of chunks) expectSame(c);
  });

  it('keeps only samples inside [mint, maxt] and after the given timestamp', () => {
    const random = seededRandom(3);
    for (const c of chunks.slice(0, 60)) {
      const it = new XorChunkIterator(c);
      const ts: number[] = [];
      while (it.next()) ts.push(it.t);
      const pick = () => ts[Math.floor(random() * ts.length)];
      const [a, b] = [pick(), pick()].sort((x, y) => x - y);
      expectSame(c, a, b);
      expectSame(c, -Infinity, Infinity, pick());
      expectSame(c, a + 1, b - 1, a + 5);
    }
  });

  it('decodes random bit patterns, NaN payloads, every delta-of-delta bucket and extreme timestamps', () => {
    const random = seededRandom(11);
    const stale: [number, number] = [0x7ff00000, 2];
    for (let s = 0; s < 200; s++) {
      const n = 1 + Math.floor(random() * 300);
      const ts: number[] = [];
      const bits: Array<[number, number]> = [];
      let t = s % 5 === 0 ? Number.MIN_SAFE_INTEGER + Math.floor(random() * 1e6) : Math.floor(random() * 2e12) - 1e12;
      for (let i = 0; i < n; i++) {
        ts.push(t);
        const r = random();
        if (r < 0.1) bits.push(stale);
        else if (r < 0.4) bits.push(bits[bits.length - 1] ?? [0, 0]);
        else bits.push([(random() * 2 ** 32) >>> 0, s % 2 ? 0 : (random() * 2 ** 32) >>> 0]);
        // regular steps, each dod bucket and jumps beyond 20 bits
        const k = Math.floor(random() * 6);
        t += k === 0 ? 15000 : k === 1 ? 8192 : k === 2 ? 65537 : k === 3 ? 524289 : k === 4 ? 2 ** 33 : 0;
      }
      expectSame(encode(ts, bits));
    }
    expectSame(encode([Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER], [stale, stale]));
  });

  it('throws a CorruptionError where the iterator reports corruption, never reading past the chunk', () => {
    const random = seededRandom(42);
    let errors = 0;
    for (let round = 0; round < 3000; round++) {
      const src = chunks[round % chunks.length];
      const data = src.slice(0, 2 + Math.floor(random() * (src.length - 1)));
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) data[Math.floor(random() * data.length)] ^= 1 << Math.floor(random() * 8);
      expectSame(data);
      if (viaIterator(data, -Infinity, Infinity, -Infinity) instanceof CorruptionError) errors++;
    }
    expect(errors).toBeGreaterThan(1000);
    expect(() => decodeXorInto(new Uint8Array([0]), 0, 1, 0, new Float64Array(1), new Uint32Array(2), 0)).toThrow(
      CorruptionError,
    );
    expect(() => decodeXorInto(new Uint8Array([0, 3]), 0, 1, 0, new Float64Array(3), new Uint32Array(6), 0)).toThrow(
      /bit stream ends early/,
    );
  });
});
