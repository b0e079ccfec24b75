import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, seededRandom } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { walkChunkSegment } from '../chunks';
import { CorruptionError } from '../encoding';
import {
  EncHistogram,
  EncXOR,
  UnsupportedChunkEncodingError,
  XorChunkEncoder,
  XorChunkIterator,
  chunkIterator,
  floatFromBits,
  floatHiBits,
  floatLoBits,
} from './index';

const blocksDir = join(fixturesDir, 'openmetrics-blocks/blocks');

function fixtureChunks(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const block of readdirSync(blocksDir).sort()) {
    const file = join(blocksDir, block, 'chunks/000001');
    for (const { chunk } of walkChunkSegment(readFileSync(file), file)) {
      expect(chunk.encoding).toBe(EncXOR);
      out.push(new Uint8Array(chunk.data));
    }
  }
  return out;
}

/** Samples as [t, hi, lo] triples in a typed array (values stay bit-exact). */
function decodeAll(data: Uint8Array): Float64Array {
  const it = new XorChunkIterator(data);
  const out = new Float64Array(it.numSamples * 3);
  let i = 0;
  while (it.next()) {
    out[i++] = it.t;
    out[i++] = it.vHi;
    out[i++] = it.vLo;
  }
  if (it.err) throw it.err;
  if (i !== out.length) throw new Error(`decoded ${i / 3} of ${it.numSamples} samples`);
  return out;
}

function encodeAll(samples: Float64Array): Uint8Array {
  const enc = new XorChunkEncoder();
  for (let i = 0; i < samples.length; i += 3) enc.appendBits(samples[i], samples[i + 1], samples[i + 2]);
  return enc.toChunk().data;
}

function bitsOf(v: number): [number, number] {
  const hi = floatHiBits(v);
  return [hi, floatLoBits()];
}

function roundTrip(ts: number[], bits: Array<[number, number]>): void {
  const samples = new Float64Array(ts.length * 3);
  ts.forEach((t, i) => samples.set([t, bits[i][0] >>> 0, bits[i][1] >>> 0], i * 3));
  const decoded = decodeAll(encodeAll(samples));
  expect(Buffer.from(decoded.buffer).equals(Buffer.from(samples.buffer))).toBe(true);
}

describe('XOR chunks of the Prometheus fixture blocks', () => {
  const chunks = fixtureChunks();

  it('finds all 181 chunks and their 17 348 samples', () => {
    expect(chunks.length).toBe(181);
    expect(chunks.reduce((n, c) => n + decodeAll(c).length / 3, 0)).toBe(17348);
  });

  it('re-encodes every decoded chunk to identical bytes', () => {
    const differing = chunks.filter((c) => {
      const again = encodeAll(decodeAll(c));
      return again.length !== c.length || again.some((b, i) => b !== c[i]);
    });
    expect(differing.length).toBe(0);
  });

  it('decodes the worked example of spec §14', () => {
    const it0 = new XorChunkIterator(chunks[0]);
    expect(it0.numSamples).toBe(129);
    expect(it0.next()).toBe(true);
    expect([it0.t, it0.v]).toEqual([1672534050000, 0]);
    expect(it0.next()).toBe(true);
    expect(it0.t).toBe(1672534080000);
    expect(Object.is(it0.v, -0)).toBe(true);
  });

  it('resumes appending to a fixture chunk as if it had been written in one go', () => {
    for (const c of chunks.slice(0, 20)) {
      const samples = decodeAll(c);
      const cut = samples.length - 3 * 5;
      const resumed = XorChunkEncoder.resume(encodeAll(samples.subarray(0, cut)));
      for (let i = cut; i < samples.length; i += 3) resumed.appendBits(samples[i], samples[i + 1], samples[i + 2]);
      expect(resumed.bytes()).toEqual(c);
    }
  });

  it('ends corrupt or truncated chunks with a CorruptionError, never hanging', () => {
    const random = seededRandom(42);
    let errors = 0;
    let misbehaved = 0;
    for (let round = 0; round < 3000; round++) {
      const src = chunks[round % chunks.length];
      const data = src.slice(0, 2 + Math.floor(random() * (src.length - 1)));
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) data[Math.floor(random() * data.length)] ^= 1 << Math.floor(random() * 8);
      const it = new XorChunkIterator(data);
      let n = 0;
      while (it.next()) n++;
      if (n > it.numSamples || (it.err !== undefined && !(it.err instanceof CorruptionError))) misbehaved++;
      if (it.err) errors++;
    }
    expect(misbehaved).toBe(0);
    expect(errors).toBeGreaterThan(1000);
  });

  it('reports a missing header and an empty body as corruption', () => {
    const short = new XorChunkIterator(new Uint8Array([0]));
    expect(short.next()).toBe(false);
    expect(short.err).toBeInstanceOf(CorruptionError);
    const noBody = new XorChunkIterator(new Uint8Array([0, 3]));
    expect(noBody.next()).toBe(false);
    expect(noBody.err?.message).toMatch(/bit stream ends early/);
  });
});

describe('XorChunkEncoder', () => {
  it('writes a 1-sample chunk with the trailing byte Go leaves (spec §4)', () => {
    const enc = new XorChunkEncoder();
    enc.append(1672534050000, 1.5);
    expect(Buffer.from(enc.bytes()).toString('hex')).toBe('0001a093e2acad613ff800000000000000');
  });

  it('an empty chunk is just the zero count and iterates nothing', () => {
    const enc = new XorChunkEncoder();
    expect([...enc.bytes()]).toEqual([0, 0]);
    const it = new XorChunkIterator(enc.bytes());
    expect(it.next()).toBe(false);
    expect(it.err).toBeUndefined();
  });

  it('keeps NaN payloads, the stale marker, infinities, signed zeros and denormals bit-exact', () => {
    const special: Array<[number, number]> = [
      [0x7ff00000, 2], // stale marker
      [0x7ff80000, 1], // Go NaN
      [0x7ff80000, 0], // JS NaN
      [0xfff80000, 0x12345], // negative NaN with payload
      [0x7ff00000, 0], // +Inf
      [0xfff00000, 0], // -Inf
      [0x80000000, 0], // -0
      [0, 0], // +0
      [0, 1], // smallest denormal
      [0x000fffff, 0xffffffff], // largest denormal
      [0x7fefffff, 0xffffffff], // max float
      [0x3ff00000, 0], // 1
      [0x3ff00000, 1], // 1 + 1 ulp
      [0x3ff00000, 0], // back
      [0x7ff00000, 2],
    ];
    roundTrip(
      special.map((_, i) => 1000 + i * 15000),
      special,
    );
    const enc = new XorChunkEncoder();
    enc.appendBits(0, 0x7ff00000, 2);
    const it = new XorChunkIterator(enc.bytes());
    it.next();
    expect([it.vHi, it.vLo]).toEqual([0x7ff00000, 2]);
    expect(bitsOf(floatFromBits(it.vHi, it.vLo))).toEqual([0x7ff00000, 2]);
  });

  it('round-trips every delta-of-delta bucket boundary', () => {
    const dods = [0, 1, -1, 8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536, 524288, -524287, 524289, -524288];
    const ts = [1_000_000_000, 1_000_010_000];
    let delta = 10_000_000;
    for (const dod of dods) {
      delta += dod;
      ts.push(ts[ts.length - 1] + delta);
    }
    ts.push(ts[ts.length - 1] + 2 ** 40);
    ts.push(ts[ts.length - 1] + 1);
    roundTrip(
      ts,
      ts.map(() => bitsOf(42)),
    );
  });

  it('round-trips huge, negative and zero timestamps', () => {
    const ts = [-86400000, -1, 0, 1, 1e12, 4102444800000, 4102444800001, 4102444800002];
    roundTrip(
      ts,
      ts.map((_, i) => bitsOf(i)),
    );
    const extremes = [Number.MIN_SAFE_INTEGER, -(2 ** 52), 0, 2 ** 52, Number.MAX_SAFE_INTEGER];
    roundTrip(
      extremes,
      extremes.map(() => bitsOf(1)),
    );
  });

  it('round-trips random series (random walks, random bit patterns, constants)', () => {
    const random = seededRandom(7);
    for (let s = 0; s < 60; s++) {
      const n = 1 + Math.floor(random() * 300);
      const ts: number[] = [];
      const bits: Array<[number, number]> = [];
      let t = Math.floor(random() * 2e12) - 1e12;
      let v = random() * 100;
      for (let i = 0; i < n; i++) {
        t += 1 + Math.floor(random() * (s % 3 === 0 ? 2e6 : 30000));
        ts.push(t);
        if (s % 4 === 0) bits.push([(random() * 2 ** 32) >>> 0, (random() * 2 ** 32) >>> 0]);
        else if (s % 4 === 1) bits.push(bitsOf(7));
        else bits.push(bitsOf((v += random() - 0.5)));
      }
      roundTrip(ts, bits);
    }
  });

  it("resumes a 1-sample chunk with Go's zero window, and the result still decodes", () => {
    const one = new XorChunkEncoder();
    one.append(1000, 1.5);
    const resumed = XorChunkEncoder.resume(one.bytes());
    resumed.append(2000, 2.5);
    resumed.append(3000, 2.5);
    const fresh = new XorChunkEncoder();
    [1000, 2000, 3000].forEach((t, i) => fresh.append(t, i === 0 ? 1.5 : 2.5));
    // Go's appender reuses the iterator's (0, 0) window: '10' + all 64 bits instead of a new window.
    expect(resumed.bytes().length).toBeGreaterThan(fresh.bytes().length);
    const it = new XorChunkIterator(resumed.bytes());
    const got: number[] = [];
    while (it.next()) got.push(it.t, it.v);
    expect(it.err).toBeUndefined();
    expect(got).toEqual([1000, 1.5, 2000, 2.5, 3000, 2.5]);
  });

  it('iterates only XOR chunks through chunkIterator, reusing the iterator', () => {
    const enc = new XorChunkEncoder();
    enc.append(5, 1);
    const it = chunkIterator(enc.toChunk());
    expect(chunkIterator({ encoding: EncXOR, data: enc.bytes() }, it)).toBe(it);
    expect(it.next() && it.t).toBe(5);
    expect(() => chunkIterator({ encoding: EncHistogram, data: new Uint8Array(2) })).toThrow(
      UnsupportedChunkEncodingError,
    );
  });

  it('refuses timestamps going backwards and more than 65535 samples', () => {
    const enc = new XorChunkEncoder();
    enc.append(10, 1);
    expect(() => enc.append(9, 1)).toThrow(RangeError);
    const full = new XorChunkEncoder();
    for (let i = 0; i < 65535; i++) full.append(i, 1);
    expect(full.numSamples).toBe(65535);
    expect(() => full.append(70000, 1)).toThrow(/full/);
    expect(decodeAll(full.bytes()).length).toBe(65535 * 3);
  });
});
