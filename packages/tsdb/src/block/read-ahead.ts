import type { ByteRangeSource, WindowedByteSource } from '../encoding';

/** Bytes fetched per read: chunks of neighbouring series are usually neighbours in the file. */
const DEFAULT_WINDOW = 1 << 20;

/** A source whose reads complete synchronously (local files, memory). */
export interface SyncByteSource extends ByteRangeSource {
  read(offset: number, length: number): Uint8Array;
}

/**
 * A synchronous source that reads `window` bytes at a time and serves the following
 * reads from that buffer: walking a block's series in order reads its chunk segments
 * almost sequentially, and one large read replaces thousands of small ones.
 */
export class ReadAheadSource implements WindowedByteSource {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;

  constructor(
    private readonly inner: SyncByteSource,
    private readonly windowSize = DEFAULT_WINDOW,
  ) {}

  get size(): number {
    return this.inner.size;
  }

  get name(): string {
    return this.inner.name;
  }

  get window(): Uint8Array {
    return this.buf;
  }

  locateInWindow(offset: number, length: number): number {
    const start = offset - this.bufStart;
    if (start >= 0 && start + length <= this.buf.length) return start;
    if (length >= this.windowSize || offset + length > this.inner.size) return -1;
    this.buf = this.inner.read(offset, Math.min(this.windowSize, this.inner.size - offset));
    this.bufStart = offset;
    return 0;
  }

  read(offset: number, length: number): Uint8Array {
    const at = this.locateInWindow(offset, length);
    return at < 0 ? this.inner.read(offset, length) : this.buf.subarray(at, at + length);
  }

  close(): void | Promise<void> {
    this.buf = new Uint8Array(0);
    return this.inner.close?.();
  }
}
