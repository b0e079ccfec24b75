import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Chunk } from '../chunkenc';
import { CorruptionError, FileByteSource, isWindowed, type ByteRangeSource } from '../encoding';
import {
  SEGMENT_HEADER_SIZE,
  checkSegmentHeader,
  chunkRefOffset,
  chunkRefSegment,
  chunkLengthFieldSize,
  decodeChunkBody,
  readChunkLength,
} from './format';

/** Bytes fetched in the first read of a chunk: most chunks (≤ 240 samples) fit entirely. */
const FIRST_READ = 1024;

/** Sorted names of the numbered segment files of a `chunks/` directory (as Prometheus' `sequenceFiles`). */
export function listSegmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name))
    .sort();
}

interface OpenSegment {
  source: ByteRangeSource;
  headerChecked: boolean;
}

/**
 * Reads chunks by ref from a block's segment files. Segments are opened on first use
 * and read by byte range only, so any {@link ByteRangeSource} (file, memory, bucket) works.
 * Every chunk's CRC is verified unless the caller opts out; damage is reported as a
 * {@link CorruptionError} naming the segment and offset.
 */
export class ChunkSegmentReader {
  private readonly open: Array<OpenSegment | undefined>;

  constructor(
    readonly segmentCount: number,
    private readonly openSegment: (index: number) => ByteRangeSource,
  ) {
    this.open = new Array(segmentCount).fill(undefined);
  }

  /** A reader over `<dir>/000001`, `000002`, … as local files. */
  static fromDir(dir: string): ChunkSegmentReader {
    const files = listSegmentFiles(dir);
    return new ChunkSegmentReader(files.length, (i) => new FileByteSource(join(dir, files[i])));
  }

  /** A reader over in-memory sources (segment index = array position). */
  static fromSources(sources: ByteRangeSource[]): ChunkSegmentReader {
    return new ChunkSegmentReader(sources.length, (i) => sources[i]);
  }

  /**
   * The chunk at `ref`; requires sources whose `read` is synchronous (files, memory).
   * `verifyChecksum` false skips the CRC, as Prometheus's queries read chunks.
   */
  chunkSync(ref: number, verifyChecksum = true): Chunk {
    const { seg, offset } = this.locate(ref);
    const src = seg.source;
    if (!seg.headerChecked) {
      checkSegmentHeader(syncRead(src, 0, Math.min(SEGMENT_HEADER_SIZE, src.size)), src.name);
      seg.headerChecked = true;
    }
    const firstLength = Math.min(FIRST_READ, src.size - offset);
    if (isWindowed(src)) {
      const at = src.locateInWindow(offset, firstLength);
      const window = src.window;
      if (at >= 0) {
        const start = at + chunkLengthFieldSize(window, at);
        const end = this.entryEnd(src, window, at, start, offset);
        if (end <= window.length) return decodeChunkBody(window, start, end, src.name, offset, verifyChecksum);
      }
    }
    const first = syncRead(src, offset, firstLength);
    const start = chunkLengthFieldSize(first, 0);
    const end = this.entryEnd(src, first, 0, start, offset);
    if (end <= first.length) return decodeChunkBody(first, start, end, src.name, offset, verifyChecksum);
    const entry = syncRead(src, offset + start, end - start);
    return decodeChunkBody(entry, 0, entry.length, src.name, offset, verifyChecksum);
  }

  /** The chunk at `ref`, for any source. */
  async chunk(ref: number, verifyChecksum = true): Promise<Chunk> {
    const { seg, offset } = this.locate(ref);
    const src = seg.source;
    if (!seg.headerChecked) {
      checkSegmentHeader(await src.read(0, Math.min(SEGMENT_HEADER_SIZE, src.size)), src.name);
      seg.headerChecked = true;
    }
    const first = await src.read(offset, Math.min(FIRST_READ, src.size - offset));
    const start = chunkLengthFieldSize(first, 0);
    const end = this.entryEnd(src, first, 0, start, offset);
    if (end <= first.length) return decodeChunkBody(first, start, end, src.name, offset, verifyChecksum);
    const entry = await src.read(offset + start, end - start);
    return decodeChunkBody(entry, 0, entry.length, src.name, offset, verifyChecksum);
  }

  async close(): Promise<void> {
    for (const seg of this.open) await seg?.source.close?.();
    this.open.fill(undefined);
  }

  private locate(ref: number): { seg: OpenSegment; offset: number } {
    const index = chunkRefSegment(ref);
    const offset = chunkRefOffset(ref);
    if (!Number.isInteger(ref) || ref < 0 || index >= this.segmentCount) {
      throw new CorruptionError(
        `chunk ref 0x${ref.toString(16)} names segment ${index + 1}, but there are ${this.segmentCount} segments`,
      );
    }
    let seg = this.open[index];
    if (seg === undefined) {
      seg = { source: this.openSegment(index), headerChecked: false };
      this.open[index] = seg;
    }
    if (offset < SEGMENT_HEADER_SIZE || offset >= seg.source.size) {
      throw new CorruptionError(
        `chunk ref offset ${offset} is outside the ${seg.source.size}-byte segment`,
        seg.source.name,
        offset,
      );
    }
    return { seg, offset };
  }

  /**
   * Where the entry (length, encoding, data, CRC) starting at `bytes[at]` (file `offset`)
   * ends in `bytes`; its encoding byte is at `bytes[start]`, after the length.
   */
  private entryEnd(src: ByteRangeSource, bytes: Uint8Array, at: number, start: number, offset: number): number {
    const len = readChunkLength(bytes, at, src.name, offset);
    const end = start + 1 + len + 4;
    if (offset + end - at > src.size) {
      throw new CorruptionError(
        `chunk of ${len} bytes runs past the end of the ${src.size}-byte segment`,
        src.name,
        offset,
      );
    }
    return end;
  }
}

function syncRead(src: ByteRangeSource, offset: number, length: number): Uint8Array {
  const r = src.read(offset, length);
  if (r instanceof Uint8Array) return r;
  throw new Error(`${src.name}: source reads asynchronously; use ChunkSegmentReader.chunk()`);
}
