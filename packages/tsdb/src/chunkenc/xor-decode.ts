// Whole-chunk XOR decoding into caller-owned typed arrays: the query path decodes every
// selected sample once, so it gets a decoder whose bit position and XOR window live in
// locals and that reads 32 bits at a time, usually once per sample. Same results as
// XorChunkIterator, sample for sample and bit for bit.
import { CorruptionError } from '../encoding';
import { XorChunkEncoder } from './xor';

const TWO_32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Room after the copied chunk: one sample reads at most ~150 bits past a corrupt end. */
const PADDING = 32;

/**
 * The bytes being decoded: the chunk's own buffer when enough bytes follow the chunk in
 * it for 32-bit reads past a corrupt end (chunks of a received frame share one buffer),
 * else a padded copy. `base` is where the chunk starts in `bytes`.
 */
let bytes: Uint8Array = new Uint8Array(4096);
let view: DataView = new DataView(bytes.buffer);
let base = 0;
let copy = bytes;
let copyView = view;

function load(data: Uint8Array): void {
  const buffer = data.buffer;
  if (data.byteOffset + data.length + PADDING <= buffer.byteLength) {
    if (view.buffer !== buffer) {
      bytes = new Uint8Array(buffer);
      view = new DataView(buffer);
    }
    base = data.byteOffset;
    return;
  }
  if (copy.length < data.length + PADDING) {
    copy = new Uint8Array(2 * (data.length + PADDING));
    copyView = new DataView(copy.buffer);
  }
  copy.set(data);
  bytes = copy;
  view = copyView;
  base = 0;
}

/** The 32 bits starting at bit `pos` of the chunk, as an int32. */
function peek32(pos: number): number {
  const p = base + (pos >>> 3);
  const s = pos & 7;
  return (view.getUint32(p) << s) | (bytes[p + 4] >>> (8 - s));
}

/** Index of the high word of a float64 in a Uint32Array (platform byte order). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

function ended(pos: number, end: number, sample: number): CorruptionError {
  return new CorruptionError(
    `bit stream ends early: sample ${sample} needs bit ${pos - 1}, the chunk has ${end}`,
    undefined,
    Math.min(pos, end) >>> 3,
  );
}

function badTime(t: number, pos: number): CorruptionError {
  return new CorruptionError(`decoded timestamp ${t} is outside ±2^53`, undefined, pos >>> 3);
}

/** An unsigned varint at byte-aligned bit `pos` of the chunk; sets `varintEnd`. */
function readUvarintAt(pos: number): number {
  let p = base + (pos >>> 3);
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = bytes[p++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      varintEnd = (p - base) * 8;
      return result;
    }
    mul *= 128;
  }
  throw new CorruptionError('varint overflows 64 bits', undefined, p - base);
}

/**
 * A zigzag varint at byte-aligned bit `pos`, decoded without forming the unsigned value
 * (above 2^53 for large negative numbers); sets `varintEnd`.
 */
function readVarintAt(pos: number): number {
  let p = base + (pos >>> 3);
  let b = bytes[p++];
  const negative = (b & 1) === 1;
  let half = (b & 0x7f) >>> 1;
  let mul = 64;
  for (let i = 1; b >= 0x80; i++) {
    if (i === 10) throw new CorruptionError('varint overflows 64 bits', undefined, p - base);
    b = bytes[p++];
    half += (b & 0x7f) * mul;
    mul *= 128;
  }
  varintEnd = (p - base) * 8;
  return negative ? -half - 1 : half;
}
let varintEnd = 0;

/**
 * Decodes XOR chunk `data` (2-byte sample count, then the bit stream) and writes the
 * samples with `mint <= t <= maxt` and `t > after` from index `at` on: timestamps to
 * `timestamps`, each value as two 32-bit words (platform order) to `words`, which is a
 * view of the values' Float64Array. Stops at the first sample past `maxt`. Returns the
 * index after the last sample written; the arrays need room for every sample the header
 * announces. Throws a {@link CorruptionError}
 * (offset within `data`) for a corrupt chunk.
 */
export function decodeXorInto(
  data: Uint8Array,
  mint: number,
  maxt: number,
  after: number,
  timestamps: Float64Array,
  words: Uint32Array,
  at: number,
): number {
  if (data.length < 2) throw new CorruptionError(`XOR chunk of ${data.length} bytes has no sample count header`);
  const num = (data[0] << 8) | data[1];
  if (num === 0) return at;
  load(data);
  const ts = timestamps;
  const end = data.length * 8;
  // Unary plus makes `first` a float64 local; from the untyped parameter V8 would box it.
  const first = +after;
  let n = at;

  // Sample 0: varint timestamp and the value's 64 bits, all byte-aligned.
  const t0 = readVarintAt(16);
  let pos = varintEnd;
  if (pos + 64 > end) throw ended(pos + 64, end, 0);
  if (t0 > MAX_SAFE || t0 < -MAX_SAFE) throw badTime(t0, pos);
  // What the loop carries from sample to sample stays within 32-bit integers (V8's small
  // integers): the value's words as int32 (the Uint32Array takes the same bits) and
  // timestamps as offsets from t0 (chunks span hours). When the loop runs as
  // on-stack-replaced code, V8 keeps these variables tagged, and a float64 there (a
  // timestamp, a uint32 over 2^31) would be a heap number allocated on every sample.
  let vHi = peek32(pos);
  let vLo = peek32(pos + 32);
  pos += 64;
  if (t0 > maxt) return n;
  let dt = 0;
  /** Offset of the last sample written from this chunk. */
  let lastDt = -Infinity;
  if (t0 >= mint && t0 > first) {
    ts[n] = t0;
    words[2 * n + HI] = vHi;
    words[2 * n + LO] = vLo;
    n++;
    lastDt = 0;
  }

  let tDelta = 0;
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < num; i++) {
    // One 32-bit read at `pos` usually holds the whole sample: a regular timestamp takes
    // one bit, a value in the previous XOR window 2 + its significant bits. `u` counts the
    // bits of `w` taken.
    let w = peek32(pos);
    let u: number;
    if (i === 1) {
      // the first delta, as a byte-aligned varint
      tDelta = readUvarintAt(pos);
      u = varintEnd - pos;
    } else if (w >= 0) {
      u = 1;
    } else {
      // 10, 110, 1110: a 14, 17 or 20-bit signed delta of delta; 1111: 64 bits.
      const ones = Math.clz32(~w);
      if (ones >= 4) {
        tDelta += peek32(pos + 4) * TWO_32 + (peek32(pos + 36) >>> 0);
        u = 68;
      } else {
        const size = ones === 1 ? 14 : ones === 2 ? 17 : 20;
        const bits = (w << (ones + 1)) >>> (32 - size);
        tDelta += bits > 1 << (size - 1) ? bits - (1 << size) : bits;
        u = ones + 1 + size;
      }
    }
    dt += tDelta;
    const t = t0 + dt;

    // The value's control bits (up to 13) when they are not in `w` any more.
    if (u > 19) {
      pos += u;
      u = 0;
      w = peek32(pos);
    }
    const c = w << u;
    if (c >= 0) {
      u += 1;
    } else {
      let mbits: number;
      if ((c & 0x40000000) === 0) {
        mbits = 64 - leading - trailing;
        u += 2;
      } else {
        const lead = (c >>> 25) & 31;
        mbits = (c >>> 19) & 63 || 64;
        if (lead + mbits > 64) {
          throw new CorruptionError(
            `XOR window of ${lead} leading zeros and ${mbits} bits exceeds 64 bits`,
            undefined,
            (pos + u + 13) >>> 3,
          );
        }
        leading = lead;
        trailing = 64 - lead - mbits;
        u += 13;
      }
      let hi = 0;
      let lo: number;
      if (u + mbits <= 32) {
        lo = (w << u) >>> (32 - mbits);
      } else {
        // The significant bits from a fresh read: the 64 bits at `pos` as `hi`:`lo`, cut to `mbits`.
        pos += u;
        hi = peek32(pos);
        if (mbits > 32) {
          lo = peek32(pos + 32);
          const r = 64 - mbits;
          if (r > 0) {
            lo = (lo >>> r) | (hi << (32 - r));
            hi = hi >>> r;
          }
        } else {
          lo = hi >>> (32 - mbits);
          hi = 0;
        }
        u = 0;
      }
      u += mbits;
      if (trailing >= 32) {
        hi = lo << (trailing - 32);
        lo = 0;
      } else if (trailing > 0) {
        hi = (hi << trailing) | (lo >>> (32 - trailing));
        lo = lo << trailing;
      }
      vHi ^= hi;
      vLo ^= lo;
    }
    pos += u;
    if (pos > end) throw ended(pos, end, i);
    if (t > MAX_SAFE || t < -MAX_SAFE) throw badTime(t, pos);
    if (t > maxt) break;
    if (t >= mint && t > first && dt > lastDt) {
      ts[n] = t;
      words[2 * n + HI] = vHi;
      words[2 * n + LO] = vLo;
      n++;
      lastDt = dt;
    }
  }
  return n;
}

/**
 * Takes every branch of {@link decodeXorInto} before the query path makes it hot. V8
 * optimizes the function for the branches it has seen; one taken later for the first time
 * (a timestamp jump, a value change wider than 32 bits) throws the optimized code away,
 * and V8 may then run the per-sample loop only as on-stack-replaced code, which is up to
 * twice as slow. (V8 collects this feedback only from a function's ninth call or so.)
 */
function primeDecoder(): void {
  const enc = new XorChunkEncoder();
  const steps = [15000, 15000, 15000, 15001, 14990, 30000, 80000, 600000, TWO_32 * 2, 15000, 15000, 15000];
  const values: Array<[number, number]> = [
    [0x40590000, 0],
    [0x40590000, 0],
    [0x40590000, 0x10],
    [0x40590400, 0],
    [0x3fb99999, 0x9999999a],
    [0x7ff00000, 2],
    [0x40590800, 0],
    [0x40590800, 0x30],
    [0x12345678, 0x9abcdef1],
    [0x40590800, 0x31],
    [0x40590900, 0x1],
    [0x40590900, 0x1],
  ];
  let t = 1_600_000_000_000;
  for (let i = 0; i < steps.length; i++) {
    enc.appendBits(t, values[i][0], values[i][1]);
    t += steps[i];
  }
  const alone = enc.bytes().slice();
  const framed = new Uint8Array(alone.length + 2 * PADDING);
  framed.set(alone, 1);
  const inFrame = framed.subarray(1, 1 + alone.length);
  const ts = new Float64Array(steps.length);
  const words = new Uint32Array(2 * steps.length);
  const t2 = 1_600_000_000_000 + 30000;
  for (let round = 0; round < 16; round++) {
    for (const data of [alone, inFrame]) {
      decodeXorInto(data, -Infinity, Infinity, -Infinity, ts, words, 0);
      decodeXorInto(data, t2, t2 + 100000, -Infinity, ts, words, 0);
      decodeXorInto(data, -Infinity, Infinity, t2, ts, words, 0);
    }
  }
}
primeDecoder();
