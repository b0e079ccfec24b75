import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Chunk } from '../chunkenc';
import {
  DEFAULT_SEGMENT_SIZE,
  MAX_CHUNK_LENGTH_FIELD_SIZE,
  SEGMENT_HEADER_SIZE,
  chunkEntrySize,
  encodeChunkEntry,
  packChunkRef,
  segmentFileName,
  segmentHeader,
} from './format';

export interface ChunkSegmentWriterOptions {
  /** Segment size limit in bytes (Prometheus: 512 MiB). */
  segmentSize?: number;
  /** fsync each segment when it is finished (default true). */
  fsync?: boolean;
}

const BUFFER_SIZE = 1 << 20;

/**
 * Writes a block's `chunks/000001`, `000002`, … like Prometheus' `chunks.Writer`: same
 * entry layout, same refs, and the same segment cut decisions (made per `writeChunks`
 * call, estimating each chunk at its maximum length-field size), so a block writer that
 * writes one series' chunks per call lays out bytes exactly as Prometheus does.
 */
export class ChunkSegmentWriter {
  private readonly segmentSize: number;
  private readonly fsync: boolean;
  private fd: number | undefined;
  private seq = -1;
  /** Bytes written to the current segment, 0 before the first segment exists. */
  private n = 0;
  private readonly buf = new Uint8Array(BUFFER_SIZE);
  private bufLen = 0;
  private readonly sizes: number[] = [];

  constructor(
    readonly dir: string,
    options: ChunkSegmentWriterOptions = {},
  ) {
    this.segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.fsync = options.fsync ?? true;
    mkdirSync(dir, { recursive: true });
  }

  /** Names of the segment files written so far (`000001`, …). */
  get segmentFiles(): string[] {
    return this.sizes.map((_, i) => segmentFileName(i));
  }

  /** Sizes in bytes of the segment files written so far (the last one still growing). */
  get segmentSizes(): number[] {
    return this.fd === undefined ? [...this.sizes] : [...this.sizes.slice(0, -1), this.n];
  }

  /** Writes the chunks and returns their refs, in order. */
  writeChunks(chunks: readonly Chunk[]): number[] {
    const batches = this.planBatches(chunks);
    if (this.n === 0) this.cut();
    const refs: number[] = [];
    batches.forEach(([start, end], i) => {
      for (let j = start; j < end; j++) refs.push(this.writeChunk(chunks[j]));
      if (i < batches.length - 1) this.cut();
    });
    return refs;
  }

  /** Flushes and closes the last segment. */
  close(): void {
    this.finishSegment();
  }

  /** Splits a call's chunks into per-segment runs `[start, end)` exactly as `chunks.Writer.WriteChunks`. */
  private planBatches(chunks: readonly Chunk[]): Array<[number, number]> {
    const batches: Array<[number, number]> = [[0, 0]];
    let batchSize = 0;
    let batchStart = 0;
    let firstBatch = true;
    chunks.forEach((chunk, i) => {
      const size = MAX_CHUNK_LENGTH_FIELD_SIZE + 1 + chunk.data.length + 4;
      batchSize += size;
      let cut = i !== 0 && batchSize + SEGMENT_HEADER_SIZE > this.segmentSize;
      if (firstBatch && this.n > SEGMENT_HEADER_SIZE) {
        cut = batchSize + this.n > this.segmentSize;
        if (cut) firstBatch = false;
      }
      if (cut) {
        batchStart = i;
        batches.push([i, i]);
        batchSize = size;
      }
      batches[batches.length - 1] = [batchStart, i + 1];
    });
    return batches;
  }

  private writeChunk(chunk: Chunk): number {
    const ref = packChunkRef(this.seq, this.n);
    const size = chunkEntrySize(chunk);
    if (this.bufLen + size > this.buf.length) this.flush();
    if (size > this.buf.length) {
      const entry = new Uint8Array(size);
      encodeChunkEntry(entry, 0, chunk);
      this.writeOut(entry);
    } else {
      this.bufLen = encodeChunkEntry(this.buf, this.bufLen, chunk);
    }
    this.n += size;
    return ref;
  }

  private cut(): void {
    this.finishSegment();
    this.seq++;
    this.fd = openSync(join(this.dir, segmentFileName(this.seq)), 'w');
    this.sizes.push(0);
    this.buf.set(segmentHeader(), 0);
    this.bufLen = SEGMENT_HEADER_SIZE;
    this.n = SEGMENT_HEADER_SIZE;
  }

  private finishSegment(): void {
    if (this.fd === undefined) return;
    this.flush();
    if (this.fsync) fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    this.sizes[this.seq] = this.n;
  }

  private flush(): void {
    if (this.bufLen === 0) return;
    this.writeOut(this.buf.subarray(0, this.bufLen));
    this.bufLen = 0;
  }

  private writeOut(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done);
  }
}
