import { CorruptionError, writeUvarint, writeVarint } from '../encoding';
import { BitReader, BitWriter } from './bstream';
import { EncXOR, encodingName, type Chunk } from './chunk';
import { floatFromBits, floatHiBits, floatLoBits } from './float-bits';

const TWO_32 = 4294967296;
const MAX_SAMPLES = 0xffff;
/** `leading` value meaning "no previous XOR window" (Go's 0xff sentinel). */
const NO_WINDOW = 0xff;
/** Payload bits of the delta-of-delta bucket selected by 1, 2 or 3 leading ones. */
const DOD_BUCKET_BITS = [0, 14, 17, 20];

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Whether `dod` fits the asymmetric n-bit bucket `-(2^(n-1)-1) .. 2^(n-1)` (Go's `bitRange`). */
function bitRange(dod: number, n: number): boolean {
  const half = 2 ** (n - 1);
  return dod >= 1 - half && dod <= half;
}

/** Varint bytes on their way into the bit stream; shared, as no encoder keeps them between calls. */
const varintScratch = new Uint8Array(10);

/**
 * Builds an XOR (Gorilla) chunk exactly as Prometheus 2.42's `xorAppender` does, so
 * re-encoding the samples of a Prometheus chunk yields identical bytes. Timestamps are
 * integer milliseconds; values are appended by bit pattern (NaN payloads are kept).
 */
export class XorChunkEncoder {
  private readonly w: BitWriter;
  private num = 0;
  private t = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = NO_WINDOW;
  private trailing = 0;
  private firstT = 0;

  constructor(initialCapacity = 128) {
    this.w = new BitWriter(initialCapacity, 2);
  }

  /**
   * An encoder that continues an existing XOR chunk, with the state Go's
   * `XORChunk.Appender()` would restore (including its quirk of keeping the iterator's
   * zero window after a single sample).
   */
  static resume(data: Uint8Array): XorChunkEncoder {
    const it = new XorChunkIterator(data);
    let first = 0;
    while (it.next()) if (it.index === 0) first = it.t;
    if (it.err) throw it.err;
    const enc = new XorChunkEncoder(data.length * 2);
    const state = it.appendState();
    const bitLength = 16 + state.bitPosition;
    enc.w.restore(data, bitLength, data.length > (bitLength + 7) >>> 3);
    enc.num = it.numSamples;
    enc.t = it.t;
    enc.firstT = first;
    enc.tDelta = state.tDelta;
    enc.vHi = it.vHi;
    enc.vLo = it.vLo;
    enc.leading = enc.num === 0 ? NO_WINDOW : state.leading;
    enc.trailing = state.trailing;
    return enc;
  }

  get numSamples(): number {
    return this.num;
  }

  /** Timestamp of the first sample (meaningless while empty). */
  get minTime(): number {
    return this.firstT;
  }

  /** Timestamp of the last sample (meaningless while empty). */
  get maxTime(): number {
    return this.t;
  }

  /** The chunk bytes so far: a view, valid until the next append or reset. */
  bytes(): Uint8Array {
    return this.w.bytes();
  }

  /** A copy of the chunk as it stands. */
  toChunk(): Chunk {
    return { encoding: EncXOR, data: this.w.bytes().slice() };
  }

  reset(): void {
    this.w.reset(2);
    this.num = 0;
    this.t = 0;
    this.tDelta = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.leading = NO_WINDOW;
    this.trailing = 0;
    this.firstT = 0;
  }

  append(t: number, v: number): void {
    const hi = floatHiBits(v);
    this.appendBits(t, hi, floatLoBits());
  }

  /** Appends a sample given the value's IEEE-754 bits as two uint32 halves. */
  appendBits(t: number, hi: number, lo: number): void {
    if (this.num === MAX_SAMPLES) throw new RangeError(`XOR chunk is full (${MAX_SAMPLES} samples)`);
    if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer`);
    const w = this.w;
    if (this.num === 0) {
      this.writeVarintBytes(writeVarint(varintScratch, 0, t));
      w.writeBits64(hi, lo, 64);
      this.firstT = t;
    } else {
      const tDelta = t - this.t;
      if (tDelta < 0) throw new RangeError(`timestamp ${t} is before the chunk's last sample at ${this.t}`);
      if (this.num === 1) {
        this.writeVarintBytes(writeUvarint(varintScratch, 0, tDelta));
      } else {
        this.writeDod(tDelta - this.tDelta);
      }
      this.tDelta = tDelta;
      this.writeValue(hi >>> 0, lo >>> 0);
    }
    this.t = t;
    this.vHi = hi >>> 0;
    this.vLo = lo >>> 0;
    this.num++;
    const buf = w.buffer;
    buf[0] = this.num >>> 8;
    buf[1] = this.num & 0xff;
  }

  private writeVarintBytes(n: number): void {
    for (let i = 0; i < n; i++) this.w.writeByte(varintScratch[i]);
  }

  private writeDod(dod: number): void {
    const w = this.w;
    if (dod === 0) {
      w.writeBit(0);
    } else if (bitRange(dod, 14)) {
      w.writeBits(0b10, 2);
      w.writeBits(dod & 0x3fff, 14);
    } else if (bitRange(dod, 17)) {
      w.writeBits(0b110, 3);
      w.writeBits(dod & 0x1ffff, 17);
    } else if (bitRange(dod, 20)) {
      w.writeBits(0b1110, 4);
      w.writeBits(dod & 0xfffff, 20);
    } else {
      const hi = Math.floor(dod / TWO_32);
      w.writeBits(0b1111, 4);
      w.writeBits64(hi >>> 0, (dod - hi * TWO_32) >>> 0, 64);
    }
  }

  private writeValue(hi: number, lo: number): void {
    const w = this.w;
    const dHi = (hi ^ this.vHi) >>> 0;
    const dLo = (lo ^ this.vLo) >>> 0;
    if (dHi === 0 && dLo === 0) {
      w.writeBit(0);
      return;
    }
    let leading = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
    const trailing = dLo !== 0 ? ctz32(dLo) : 32 + ctz32(dHi);
    // Leading zeros are stored in 5 bits; Prometheus clamps before the reuse test too.
    if (leading > 31) leading = 31;
    if (this.leading !== NO_WINDOW && leading >= this.leading && trailing >= this.trailing) {
      w.writeBits(0b10, 2);
      this.writeShifted(dHi, dLo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    const sigBits = 64 - leading - trailing;
    // 64 significant bits do not fit in 6 bits and are written as 0.
    w.writeBits((0b11 << 11) | (leading << 6) | (sigBits & 63), 13);
    this.writeShifted(dHi, dLo, trailing, sigBits);
  }

  /** Writes the low `n` bits of `(hi:lo) >>> shift`. */
  private writeShifted(hi: number, lo: number, shift: number, n: number): void {
    if (shift >= 32) {
      this.w.writeBits64(0, hi >>> (shift - 32), n);
    } else if (shift > 0) {
      this.w.writeBits64(hi >>> shift, ((lo >>> shift) | (hi << (32 - shift))) >>> 0, n);
    } else {
      this.w.writeBits64(hi, lo, n);
    }
  }
}

/**
 * Decodes an XOR chunk sample by sample without allocating: call {@link next} and read
 * {@link t} and {@link v} (or the exact bits {@link vHi}/{@link vLo}). A corrupt chunk
 * ends the iteration with {@link err} set to a {@link CorruptionError}; it never loops or
 * allocates, since every sample consumes at least two bits of a bounded stream. Error
 * offsets count from the start of the chunk data (add the chunk's file position with
 * `err.inFile(file, offset)`).
 */
export class XorChunkIterator {
  /** Timestamp of the current sample. */
  t = 0;
  /** High 32 bits of the current value's IEEE-754 pattern. */
  vHi = 0;
  /** Low 32 bits of the current value's IEEE-754 pattern. */
  vLo = 0;
  /** Set when the chunk turned out to be corrupt; iteration has then ended. */
  err: CorruptionError | undefined;

  private readonly br = new BitReader();
  private num = 0;
  private read = 0;
  private tDelta = 0;
  private leading = 0;
  private trailing = 0;

  constructor(data?: Uint8Array) {
    if (data) this.reset(data);
  }

  /** Starts over on another chunk's data (2-byte header + bit stream). */
  reset(data: Uint8Array): void {
    this.t = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.err = undefined;
    this.read = 0;
    this.tDelta = 0;
    this.leading = 0;
    this.trailing = 0;
    if (data.length < 2) {
      this.num = 0;
      this.br.reset(new Uint8Array(0));
      this.err = new CorruptionError(`XOR chunk of ${data.length} bytes has no sample count header`);
      return;
    }
    this.num = (data[0] << 8) | data[1];
    this.br.reset(data.subarray(2), 2);
  }

  /** Samples the header announces. */
  get numSamples(): number {
    return this.num;
  }

  /** 0-based index of the current sample. */
  get index(): number {
    return this.read - 1;
  }

  /** The current value (exact bits are in {@link vHi}/{@link vLo}). */
  get v(): number {
    return floatFromBits(this.vHi, this.vLo);
  }

  next(): boolean {
    if (this.err !== undefined || this.read >= this.num) return false;
    try {
      this.readSample();
    } catch (e) {
      if (!(e instanceof CorruptionError)) throw e;
      this.err = e;
      return false;
    }
    this.read++;
    return true;
  }

  /** Advances to the first sample with timestamp >= `t`; false when there is none. */
  seek(t: number): boolean {
    if (this.read > 0 && this.t >= t) return true;
    while (this.next()) if (this.t >= t) return true;
    return false;
  }

  /** Decoder state an appender continuing this chunk needs (valid after the last sample). */
  appendState(): { bitPosition: number; tDelta: number; leading: number; trailing: number } {
    return { bitPosition: this.br.bitPosition, tDelta: this.tDelta, leading: this.leading, trailing: this.trailing };
  }

  private readSample(): void {
    const br = this.br;
    if (this.read === 0) {
      this.t = this.checkTime(br.readVarint());
      this.vHi = br.readBits(32);
      this.vLo = br.readBits(32);
      return;
    }
    if (this.read === 1) {
      this.tDelta = br.readUvarint();
    } else {
      this.tDelta += this.readDod();
    }
    this.t = this.checkTime(this.t + this.tDelta);
    this.readValue();
  }

  private readDod(): number {
    const br = this.br;
    // Prefix 0, 10, 110, 1110 or 1111: count the leading ones (at most four).
    let ones = 0;
    while (ones < 4 && br.readBit() === 1) ones++;
    if (ones === 0) return 0;
    if (ones === 4) {
      const hi = br.readBits(32) | 0;
      return hi * TWO_32 + br.readBits(32);
    }
    const size = DOD_BUCKET_BITS[ones];
    const bits = br.readBits(size);
    // Values above 2^(size-1) are negative (two's complement in `size` bits).
    return bits > 1 << (size - 1) ? bits - (1 << size) : bits;
  }

  private readValue(): void {
    const br = this.br;
    if (br.readBit() === 0) return;
    let mbits: number;
    if (br.readBit() === 0) {
      mbits = 64 - this.leading - this.trailing;
    } else {
      const leading = br.readBits(5);
      mbits = br.readBits(6) || 64;
      if (leading + mbits > 64) {
        throw new CorruptionError(
          `XOR window of ${leading} leading zeros and ${mbits} bits exceeds 64 bits`,
          undefined,
          br.byteOffset,
        );
      }
      this.leading = leading;
      this.trailing = 64 - leading - mbits;
    }
    let hi = 0;
    let lo: number;
    if (mbits > 32) {
      hi = br.readBits(mbits - 32);
      lo = br.readBits(32);
    } else {
      lo = br.readBits(mbits);
    }
    const shift = this.trailing;
    if (shift >= 32) {
      hi = lo << (shift - 32);
      lo = 0;
    } else if (shift > 0) {
      hi = (hi << shift) | (lo >>> (32 - shift));
      lo = lo << shift;
    }
    this.vHi = (this.vHi ^ hi) >>> 0;
    this.vLo = (this.vLo ^ lo) >>> 0;
  }

  private checkTime(t: number): number {
    if (!Number.isSafeInteger(t)) {
      throw new CorruptionError(`decoded timestamp ${t} is outside ±2^53`, undefined, this.br.byteOffset);
    }
    return t;
  }
}

/** A chunk whose encoding this implementation cannot decode (native histograms). */
export class UnsupportedChunkEncodingError extends Error {
  override readonly name = 'UnsupportedChunkEncodingError';
  constructor(readonly encoding: number) {
    super(`cannot decode ${encodingName(encoding)} chunks`);
  }
}

/** An iterator over a float chunk; `reuse` is reset and returned to avoid allocating. */
export function chunkIterator(chunk: Chunk, reuse?: XorChunkIterator): XorChunkIterator {
  if (chunk.encoding !== EncXOR) throw new UnsupportedChunkEncodingError(chunk.encoding);
  if (reuse === undefined) return new XorChunkIterator(chunk.data);
  reuse.reset(chunk.data);
  return reuse;
}
