import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CorruptionError } from './errors';

/**
 * Random access to the bytes of one file-like object (a local file, an in-memory
 * buffer, later an object-store range reader). Readers of TSDB files only ever ask
 * for ranges, so the same reader code works on every backing store.
 */
export interface ByteRangeSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Name used in error messages (a path or object key). */
  readonly name: string;
  /**
   * Exactly `length` bytes starting at `offset`. Throws a {@link CorruptionError}
   * when the range goes past the end. The result may share memory with the source;
   * callers must not modify it.
   */
  read(offset: number, length: number): Promise<Uint8Array> | Uint8Array;
  /** Releases the underlying handle, if any. */
  close?(): void | Promise<void>;
}

/**
 * A source that can make a range readable in a buffer it keeps (a read-ahead window), so a
 * reader taking many small pieces of it (chunks) slices the buffer once per piece instead
 * of receiving a view per read.
 */
export interface WindowedByteSource extends ByteRangeSource {
  /** Where `length` bytes from `offset` now are in {@link window}, or -1 when it cannot hold them. */
  locateInWindow(offset: number, length: number): number;
  /** The buffer {@link locateInWindow} answered for; valid until the next call. */
  readonly window: Uint8Array;
}

export function isWindowed(src: ByteRangeSource): src is WindowedByteSource {
  return (src as Partial<WindowedByteSource>).locateInWindow !== undefined;
}

function checkRange(src: ByteRangeSource, offset: number, length: number): void {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > src.size
  ) {
    throw new CorruptionError(
      `read of ${length} bytes at ${offset} is outside the ${src.size}-byte object`,
      src.name,
      offset,
    );
  }
}

/** A source over bytes already in memory; reads are zero-copy views. */
export class BufferByteSource implements ByteRangeSource {
  constructor(
    readonly bytes: Uint8Array,
    readonly name = '<buffer>',
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** A source over a local file, read synchronously with positional reads (the handle stays open until `close`). */
export class FileByteSource implements ByteRangeSource {
  private fd: number | undefined;
  readonly size: number;

  constructor(readonly name: string) {
    this.fd = openSync(name, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    if (this.fd === undefined) throw new Error(`${this.name}: read after close`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0)
        throw new CorruptionError(`file shrank while reading (${done} of ${length} bytes)`, this.name, offset + done);
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
