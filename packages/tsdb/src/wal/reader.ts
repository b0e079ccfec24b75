// The WAL reader: walks segments page by page, reassembles fragments into records, checks
// CRCs and decompresses. A broken record at the very end of the last segment (what a crash
// leaves) is reported as a torn tail; damage anywhere else is a CorruptionError.
import { closeSync, openSync, readSync } from 'node:fs';
import { uncompressSync } from 'snappy';
import { CorruptionError, crc32c } from '../encoding';
import { FragmentType, PAGE_SIZE, RECORD_HEADER_SIZE, SNAPPY_FLAG } from './layout';
import { listSegments, type SegmentFile } from './segments';

/** One logical record. `data` is a view that is only valid until the next `next()` call. */
export interface WalRecord {
  data: Uint8Array;
  segment: number;
  /** Path of the segment file. */
  path: string;
  /** Byte offset of the record's first fragment in the segment. */
  offset: number;
  fragments: number;
  compressed: boolean;
}

/** Where a WAL stops being readable because its last write was cut short; truncate there to repair. */
export interface TornTail {
  segment: number;
  path: string;
  /** Start of the incomplete record: everything before it is intact. */
  offset: number;
  reason: string;
}

export interface WalReaderOptions {
  /**
   * Report a broken record at the end of the last non-empty segment as `tornTail` instead of
   * throwing (default true). Checkpoints are read with `false`: they are never written in place.
   */
  tolerateTornTail?: boolean;
}

/** Pages read per read(2). */
const CHUNK_PAGES = 32;
/** Snappy expands at most ~21x (a 3-byte copy op yields 64 bytes); a larger claim is corruption. */
const MAX_SNAPPY_RATIO = 24;

export class WalReader {
  private segmentIdx = 0;
  /** Index in `segments` where a torn tail is tolerated, or -1. */
  private readonly tolerantIdx: number;
  private fd = -1;
  private size = 0;
  private off = 0;
  private chunk: Buffer = Buffer.allocUnsafe(0);
  private chunkStart = 0;
  private chunkLen = 0;
  private rec = new Uint8Array(PAGE_SIZE);
  private recLen = 0;
  private recStart = -1;
  private recFragments = 0;
  private recCompressed = false;
  private bytesBeforeSegment = 0;
  private torn: TornTail | undefined;

  constructor(
    readonly segments: readonly SegmentFile[],
    options: WalReaderOptions = {},
  ) {
    let last = -1;
    for (let i = 0; i < segments.length; i++) if (segments[i].size > 0) last = i;
    this.tolerantIdx = options.tolerateTornTail === false ? -1 : last;
  }

  /** A reader over the segments of `dir` (optionally only `[from, to]`); checkpoints are not included. */
  static open(dir: string, options: WalReaderOptions & { from?: number; to?: number } = {}): WalReader {
    return new WalReader(listSegments(dir, options.from, options.to), options);
  }

  /** Set when reading stopped at a torn tail. */
  get tornTail(): TornTail | undefined {
    return this.torn;
  }

  /** Bytes of segment files consumed so far (for progress reports). */
  get bytesRead(): number {
    return this.bytesBeforeSegment + this.off;
  }

  get totalBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Segments completely read so far. */
  get segmentsDone(): number {
    return this.segmentIdx;
  }

  /** The next record, or undefined at the end (check `tornTail`). Throws CorruptionError. */
  next(): WalRecord | undefined {
    while (this.segmentIdx < this.segments.length && !this.torn) {
      if (this.fd < 0) this.openSegment();
      const rec = this.scan();
      if (rec) return rec;
      this.closeSegment();
      this.bytesBeforeSegment += this.segments[this.segmentIdx].size;
      this.off = 0;
      this.segmentIdx++;
    }
    return undefined;
  }

  /** Stops reading and releases the open segment file (needed only when stopping before the end). */
  close(): void {
    this.closeSegment();
    this.segmentIdx = this.segments.length;
  }

  private openSegment(): void {
    const seg = this.segments[this.segmentIdx];
    this.fd = openSync(seg.path, 'r');
    this.size = seg.size;
    // Only what the segment needs: a small, freshly written segment should not cost a 1 MiB buffer.
    const chunkSize = Math.min(CHUNK_PAGES * PAGE_SIZE, seg.size + PAGE_SIZE - (seg.size % PAGE_SIZE));
    if (this.chunk.length < chunkSize) this.chunk = Buffer.allocUnsafe(chunkSize);
    this.off = 0;
    this.chunkStart = 0;
    this.chunkLen = 0;
    this.recStart = -1;
  }

  private closeSegment(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Makes the page holding `off` available in `chunk`; returns its index there. */
  private load(off: number): number {
    if (off < this.chunkStart || off >= this.chunkStart + this.chunkLen) {
      this.chunkStart = off - (off % PAGE_SIZE);
      const want = Math.min(this.chunk.length - (this.chunk.length % PAGE_SIZE), this.size - this.chunkStart);
      this.chunkLen = this.readAt(this.chunk, this.chunkStart, want);
      // A file that shrank since it was listed ends where reading ends.
      if (this.chunkLen < want) this.size = this.chunkStart + this.chunkLen;
    }
    return off - this.chunkStart;
  }

  private readAt(buf: Buffer, pos: number, len: number): number {
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, buf, done, len - done, pos + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** Reads fragments until a record completes (returned) or the segment ends (undefined). */
  private scan(): WalRecord | undefined {
    while (this.off < this.size) {
      const off = this.off;
      const i = this.load(off);
      const size = this.size;
      if (off >= size) break;
      const pageEnd = off - (off % PAGE_SIZE) + PAGE_SIZE;
      const end = Math.min(pageEnd, size);
      const c = this.chunk;
      const head = c[i];
      if (pageEnd - off < RECORD_HEADER_SIZE || head === FragmentType.PageTerm) {
        const bad = firstNonZero(c, i, i + end - off);
        if (bad >= 0) return this.corrupt(`non-zero byte in page padding at ${off + bad - i}`, off, end);
        this.off = pageEnd;
        continue;
      }
      if (off + RECORD_HEADER_SIZE > size) return this.corrupt('fragment header cut off by end of file', off, size);
      const type = head & 0x07;
      const compressed = (head & SNAPPY_FLAG) !== 0;
      const len = (c[i + 1] << 8) | c[i + 2];
      const crc = ((c[i + 3] << 24) | (c[i + 4] << 16) | (c[i + 5] << 8) | c[i + 6]) >>> 0;
      const dataEnd = off + RECORD_HEADER_SIZE + len;
      if ((head & ~(0x07 | SNAPPY_FLAG)) !== 0 || type > FragmentType.Last) {
        return this.corrupt(`invalid fragment header byte 0x${head.toString(16)}`, off, off + RECORD_HEADER_SIZE);
      }
      if (dataEnd > pageEnd) {
        return this.corrupt(`fragment length ${len} crosses the page boundary`, off, off + RECORD_HEADER_SIZE);
      }
      if (dataEnd > size) return this.corrupt(`fragment of ${len} bytes cut off by end of file`, off, size);
      const actual = crc32c(c, i + RECORD_HEADER_SIZE, i + RECORD_HEADER_SIZE + len);
      if (actual !== crc) {
        return this.corrupt(
          `fragment checksum mismatch: stored 0x${hex(crc)}, computed 0x${hex(actual)}`,
          off,
          dataEnd,
        );
      }
      const starts = type === FragmentType.Full || type === FragmentType.First;
      if (starts === this.recStart >= 0) {
        const what = starts
          ? 'a new record starts before the previous one ended'
          : 'continuation without a first fragment';
        return this.corrupt(`fragment type ${type}: ${what}`, off, dataEnd);
      }
      if (starts) {
        this.recStart = off;
        this.recLen = 0;
        this.recFragments = 0;
        this.recCompressed = compressed;
      } else if (compressed !== this.recCompressed) {
        return this.corrupt('compression flag differs between fragments of one record', off, dataEnd);
      }
      this.appendData(c, i + RECORD_HEADER_SIZE, len);
      this.recFragments++;
      this.off = dataEnd;
      if (type === FragmentType.Full || type === FragmentType.Last) return this.finishRecord();
    }
    if (this.recStart >= 0) return this.corrupt('record incomplete at end of segment', this.recStart, this.size);
    return undefined;
  }

  private appendData(src: Uint8Array, from: number, len: number): void {
    if (this.recLen + len > this.rec.length) {
      const next = new Uint8Array(Math.max(this.rec.length * 2, this.recLen + len));
      next.set(this.rec.subarray(0, this.recLen));
      this.rec = next;
    }
    this.rec.set(src.subarray(from, from + len), this.recLen);
    this.recLen += len;
  }

  private finishRecord(): WalRecord {
    const seg = this.segments[this.segmentIdx];
    const offset = this.recStart;
    this.recStart = -1;
    let data: Uint8Array = this.rec.subarray(0, this.recLen);
    if (this.recCompressed) data = this.decompress(data, seg.path, offset);
    return {
      data,
      segment: seg.index,
      path: seg.path,
      offset,
      fragments: this.recFragments,
      compressed: this.recCompressed,
    };
  }

  private decompress(data: Uint8Array, path: string, offset: number): Uint8Array {
    const claimed = snappyLength(data);
    if (claimed < 0 || claimed > data.length * MAX_SNAPPY_RATIO + 64) {
      throw new CorruptionError('invalid snappy length header in record', path, offset);
    }
    try {
      return uncompressSync(data, { asBuffer: true }) as Buffer;
    } catch (err) {
      throw new CorruptionError(`snappy decoding failed: ${String(err)}`, path, offset);
    }
  }

  /**
   * Handles damage found at fragment offset `at` whose bytes claim to reach `claimedEnd`: a torn
   * tail when this is the last non-empty segment and only zeros follow, else a CorruptionError.
   */
  private corrupt(reason: string, at: number, claimedEnd: number): undefined {
    const seg = this.segments[this.segmentIdx];
    if (this.segmentIdx === this.tolerantIdx && this.zerosFrom(claimedEnd)) {
      this.torn = { segment: seg.index, path: seg.path, offset: this.recStart >= 0 ? this.recStart : at, reason };
      return undefined;
    }
    throw new CorruptionError(reason, seg.path, at);
  }

  private zerosFrom(pos: number): boolean {
    const buf = Buffer.allocUnsafe(PAGE_SIZE);
    while (pos < this.size) {
      const n = this.readAt(buf, pos, Math.min(buf.length, this.size - pos));
      if (n === 0 || firstNonZero(buf, 0, n) >= 0) return n === 0;
      pos += n;
    }
    return true;
  }
}

function firstNonZero(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] !== 0) return i;
  return -1;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The uncompressed length from a snappy block header (uvarint, at most 5 bytes), or -1. */
function snappyLength(b: Uint8Array): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5 && i < b.length; i++) {
    v += (b[i] & 0x7f) * mul;
    if (b[i] < 0x80) return v;
    mul *= 128;
  }
  return -1;
}
