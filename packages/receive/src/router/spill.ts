// The writes a peer missed, kept on disk until it is back: an append-only queue of encoded
// `thanos.WriteRequest`s in segment files `<dir>/<seq>.spill`. Each record is framed as
// `u32le length | u32le CRC-32 (IEEE) of the payload | payload`. The queue is bounded; when a
// new record does not fit, whole segments are dropped oldest first.
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '@thanos-ts/runtime';

const FRAME_HEADER = 8;
const SEGMENT_SUFFIX = '.spill';
const MIN_SEGMENT_BYTES = 64 * 1024;
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

interface Segment {
  seq: number;
  path: string;
  /** Bytes in the file. */
  size: number;
  /** Records in the file, replayed ones included. */
  records: number;
}

/** A record handed out by `peek`: its bytes and where it is, so `advance` can tell it is still the oldest. */
export interface SpillRecord {
  data: Uint8Array;
  seq: number;
  pos: number;
}

export interface SpillListener {
  /** Records dropped because the spill was full (or unreadable). */
  dropped(records: number): void;
}

function frameLength(buf: Uint8Array, pos: number): number {
  return (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16)) + buf[pos + 3] * 0x1000000;
}

/** Number of whole, intact frames at the start of `buf` and the bytes they span. */
function scanFrames(buf: Uint8Array): { records: number; bytes: number } {
  let pos = 0;
  let records = 0;
  while (pos + FRAME_HEADER <= buf.length) {
    const len = frameLength(buf, pos);
    const end = pos + FRAME_HEADER + len;
    if (end > buf.length) break;
    const stored = frameLength(buf, pos + 4);
    if (crc32(buf.subarray(pos + FRAME_HEADER, end)) !== stored) break;
    pos = end;
    records++;
  }
  return { records, bytes: pos };
}

/** One peer's spill queue. Synchronous file I/O: records are appended and read in order. */
export class PeerSpill {
  private readonly segments: Segment[] = [];
  private writeFd: number | undefined;
  /** The first segment's bytes as last read, and the read position in them. */
  private head: Buffer | undefined;
  private readPos = 0;
  private replayedInHead = 0;
  private totalBytes = 0;
  private totalRecords = 0;
  /** Segment numbers only grow, so a record's (seq, pos) never names another record. */
  private nextSeq = 1;
  private readonly segmentBytes: number;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly listener: SpillListener,
  ) {
    this.segmentBytes = Math.min(MAX_SEGMENT_BYTES, Math.max(MIN_SEGMENT_BYTES, Math.floor(maxBytes / 8)));
  }

  /** Opens (creating) the spill in `dir`, keeping the intact records of earlier runs. */
  static open(dir: string, maxBytes: number, logger: Logger, listener: SpillListener): PeerSpill {
    mkdirSync(dir, { recursive: true });
    const spill = new PeerSpill(dir, maxBytes, logger, listener);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(SEGMENT_SUFFIX))
      .map((f) => ({ f, seq: Number.parseInt(f, 10) }))
      .filter((x) => Number.isSafeInteger(x.seq))
      .sort((a, b) => a.seq - b.seq);
    for (const { f, seq } of files) {
      spill.nextSeq = seq + 1;
      const path = join(dir, f);
      const buf = readFileSync(path);
      const { records, bytes } = scanFrames(buf);
      if (bytes < buf.length) {
        // A crash mid-append leaves a torn last frame; anything after it is unusable.
        logger.warn('spill segment has a torn or corrupt record; truncating', { file: path, offset: bytes });
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, bytes);
        closeSync(fd);
      }
      if (records === 0) {
        unlinkSync(path);
        continue;
      }
      spill.segments.push({ seq, path, size: bytes, records });
      spill.totalBytes += bytes;
      spill.totalRecords += records;
    }
    return spill;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Records not yet replayed. */
  get records(): number {
    return this.totalRecords;
  }

  get empty(): boolean {
    return this.totalRecords === 0;
  }

  /** Queues one encoded request, dropping the oldest segments if the spill would exceed its bound. */
  append(record: Uint8Array): void {
    const frameBytes = FRAME_HEADER + record.length;
    if (frameBytes > this.maxBytes) {
      this.logger.warn('write too large for the spill; dropped', { bytes: record.length, max_bytes: this.maxBytes });
      this.listener.dropped(1);
      return;
    }
    while (this.totalBytes + frameBytes > this.maxBytes && this.segments.length > 0) this.dropOldest();
    let seg = this.segments.at(-1);
    if (this.writeFd === undefined || seg === undefined || seg.size + frameBytes > this.segmentBytes) {
      seg = this.newSegment();
    }
    const frame = Buffer.allocUnsafe(frameBytes);
    frame.writeUInt32LE(record.length, 0);
    frame.writeUInt32LE(crc32(record), 4);
    frame.set(record, FRAME_HEADER);
    writeSync(this.writeFd!, frame);
    seg.size += frameBytes;
    seg.records++;
    this.totalBytes += frameBytes;
    this.totalRecords++;
  }

  /** The oldest record not yet replayed (its bytes are a view valid until the next `advance`). */
  peek(): SpillRecord | undefined {
    const seg = this.segments[0];
    if (seg === undefined) return undefined;
    if (
      this.head === undefined ||
      this.readPos + FRAME_HEADER > this.head.length ||
      this.frameEnd() > this.head.length
    ) {
      // The first segment may still be the one being appended to: re-read what it has now.
      this.head = readFileSync(seg.path);
    }
    if (this.readPos + FRAME_HEADER > this.head.length || this.frameEnd() > this.head.length) return undefined;
    return { data: this.head.subarray(this.readPos + FRAME_HEADER, this.frameEnd()), seq: seg.seq, pos: this.readPos };
  }

  /** The oldest records not yet replayed, from one segment, up to `maxBytes` of payload (at least one). */
  peekBatch(maxBytes: number): SpillRecord[] {
    const first = this.peek();
    if (first === undefined) return [];
    const head = this.head!;
    const out = [first];
    let bytes = first.data.length;
    let pos = first.pos + FRAME_HEADER + first.data.length;
    while (pos + FRAME_HEADER <= head.length) {
      const len = frameLength(head, pos);
      const end = pos + FRAME_HEADER + len;
      if (end > head.length || bytes + len > maxBytes) break;
      out.push({ data: head.subarray(pos + FRAME_HEADER, end), seq: first.seq, pos });
      bytes += len;
      pos = end;
    }
    return out;
  }

  /**
   * Marks `record` as delivered; a no-op when it is gone already (its segment was dropped to
   * make room while it was being sent).
   */
  advance(record: SpillRecord): void {
    const seg = this.segments[0];
    if (seg === undefined || this.head === undefined || seg.seq !== record.seq || this.readPos !== record.pos) return;
    const end = this.frameEnd();
    const frameBytes = end - this.readPos;
    this.readPos = end;
    this.replayedInHead++;
    this.totalBytes -= frameBytes;
    this.totalRecords--;
    seg.size -= frameBytes;
    if (this.replayedInHead === seg.records) this.removeHead();
  }

  close(): void {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    this.writeFd = undefined;
  }

  private frameEnd(): number {
    return this.readPos + FRAME_HEADER + frameLength(this.head!, this.readPos);
  }

  private newSegment(): Segment {
    if (this.writeFd !== undefined) closeSync(this.writeFd);
    const seq = this.nextSeq++;
    const path = join(this.dir, `${String(seq).padStart(10, '0')}${SEGMENT_SUFFIX}`);
    this.writeFd = openSync(path, 'a');
    const seg = { seq, path, size: 0, records: 0 };
    this.segments.push(seg);
    return seg;
  }

  private dropOldest(): void {
    const seg = this.segments[0];
    const lost = seg.records - this.replayedInHead;
    this.logger.warn('spill full: dropping its oldest writes', {
      dir: this.dir,
      records: lost,
      max_bytes: this.maxBytes,
    });
    this.listener.dropped(lost);
    this.totalBytes -= seg.size;
    this.totalRecords -= lost;
    this.removeHead();
  }

  private removeHead(): void {
    const seg = this.segments.shift()!;
    if (this.segments.length === 0 && this.writeFd !== undefined) {
      closeSync(this.writeFd);
      this.writeFd = undefined;
    }
    unlinkSync(seg.path);
    this.head = undefined;
    this.readPos = 0;
    this.replayedInHead = 0;
  }
}
