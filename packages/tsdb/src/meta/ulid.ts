import { randomFillSync } from 'node:crypto';

/** Crockford base32, the ULID alphabet (no I, L, O, U). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) {
    t[ALPHABET.charCodeAt(i)] = i;
    t[ALPHABET.toLowerCase().charCodeAt(i)] = i;
  }
  return t;
})();
const MAX_TIME = 2 ** 48 - 1;
const RANDOM_BYTES = 10;

export class InvalidUlidError extends Error {
  override readonly name = 'InvalidUlidError';
}

/** A ULID as its 48-bit millisecond timestamp and 80 random bits. */
export interface UlidParts {
  time: number;
  random: Uint8Array;
}

/** Encodes a timestamp and 10 random bytes as the 26-character ULID string. */
export function encodeUlid(time: number, random: Uint8Array): string {
  if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) throw new RangeError(`ULID time ${time} out of range`);
  if (random.length !== RANDOM_BYTES) throw new RangeError(`ULID randomness must be ${RANDOM_BYTES} bytes`);
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 80 bits = 16 groups of 5, most significant first.
  for (let i = 0; i < 16; i++) {
    const bit = i * 5;
    const byte = bit >>> 3;
    const word = (random[byte] << 8) | (byte + 1 < RANDOM_BYTES ? random[byte + 1] : 0);
    out += ALPHABET[(word >>> (11 - (bit & 7))) & 31];
  }
  return out;
}

/** Parses a ULID (case-insensitive); throws {@link InvalidUlidError}. */
export function parseUlid(s: string): UlidParts {
  if (s.length !== 26) throw new InvalidUlidError(`ULID ${JSON.stringify(s)} must have 26 characters`);
  const vals = new Uint8Array(26);
  for (let i = 0; i < 26; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? DECODE[c] : -1;
    if (v < 0) throw new InvalidUlidError(`ULID ${JSON.stringify(s)} has an invalid character at ${i}`);
    vals[i] = v;
  }
  // 26 characters carry 130 bits; the first may only use its low 3.
  if (vals[0] > 7) throw new InvalidUlidError(`ULID ${JSON.stringify(s)} overflows 128 bits`);
  let time = 0;
  for (let i = 0; i < 10; i++) time = time * 32 + vals[i];
  const random = new Uint8Array(RANDOM_BYTES);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 10; i < 26; i++) {
    acc = ((acc << 5) | vals[i]) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      random[j++] = (acc >>> bits) & 0xff;
    }
  }
  return { time, random };
}

export function isUlid(s: string): boolean {
  try {
    parseUlid(s);
    return true;
  } catch {
    return false;
  }
}

/** Millisecond timestamp of a ULID. */
export function ulidTime(s: string): number {
  return parseUlid(s).time;
}

/**
 * Generates ULIDs that sort in creation order: within one millisecond the random part
 * is incremented instead of redrawn (like oklog/ulid's monotonic entropy).
 */
export class UlidGenerator {
  private lastTime = -1;
  private readonly last = new Uint8Array(RANDOM_BYTES);

  constructor(private readonly fillRandom: (b: Uint8Array) => void = (b) => randomFillSync(b)) {}

  next(time = Date.now()): string {
    if (time === this.lastTime) {
      let i = RANDOM_BYTES - 1;
      while (i >= 0 && this.last[i] === 0xff) this.last[i--] = 0;
      if (i < 0) throw new RangeError(`ULID randomness overflowed within millisecond ${time}`);
      this.last[i]++;
    } else {
      this.fillRandom(this.last);
      this.lastTime = time;
    }
    return encodeUlid(time, this.last);
  }
}

const defaultGenerator = new UlidGenerator();

/** A new ULID for the given (default: current) time, monotonic within this process. */
export function newUlid(time = Date.now()): string {
  return defaultGenerator.next(time);
}
