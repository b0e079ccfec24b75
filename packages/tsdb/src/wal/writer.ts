// The WAL writer: appends records to the newest segment, cuts segments, and syncs to disk with
// group commit (one fsync shared by every caller waiting at that moment).
import { closeSync, fsync as fsyncCallback, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SEGMENT_SIZE, MAX_FRAGMENT_DATA, PAGE_SIZE } from './layout';
import { FragmentBuffer, maybeCompress, recordCapacity } from './fragments';
import { listSegments, segmentName } from './segments';

export interface WalWriterOptions {
  /** Segment size in bytes, a multiple of 32 KiB; default 128 MiB as Prometheus. */
  segmentSize?: number;
  /** Snappy-compress records that shrink (Prometheus 2.42's default `--storage.tsdb.wal-compression`). */
  compress?: boolean;
}

/** Thrown once a write or sync failed: the file may hold a partial write, so the writer refuses to go on. */
export class WalWriterError extends Error {
  override readonly name = 'WalWriterError';
}

function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsyncCallback(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * Appends records to `wal/NNNNNNNN` segments in Prometheus's wlog format.
 *
 * - `append(...records)` lays records out in memory; `flush()` writes everything pending with
 *   one write(2); `log(...records)` does both (a process crash then loses nothing logged).
 * - `fsync()` makes all flushed bytes durable; concurrent callers share one fsync.
 * - Opening an existing WAL starts a new segment after the last one, as Prometheus does after
 *   a restart: the old last segment is never appended to (replay/repair it first).
 */
export class WalWriter {
  private fd: number;
  private segment: number;
  /** Bytes of the current segment, including those still pending. */
  private segmentOffset = 0;
  private readonly pending = new FragmentBuffer();
  /** Bytes handed to write(2) over the writer's life, and how many of them are known durable. */
  private flushedTotal = 0;
  private syncedTotal = 0;
  private syncInFlight: Promise<void> | undefined;
  private syncCount = 0;
  /** Descriptors of cut segments whose close waits for an in-flight fsync that uses them. */
  private retired: number[] = [];
  private failed: Error | undefined;
  private closed = false;
  readonly segmentSize: number;
  readonly compress: boolean;

  private constructor(
    readonly dir: string,
    firstSegment: number,
    options: WalWriterOptions,
  ) {
    this.segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.compress = options.compress ?? true;
    if (this.segmentSize < PAGE_SIZE || this.segmentSize % PAGE_SIZE !== 0) {
      throw new RangeError(`WAL segment size must be a positive multiple of ${PAGE_SIZE}: ${this.segmentSize}`);
    }
    this.segment = firstSegment;
    this.fd = this.createSegment(firstSegment);
  }

  /** Opens (creating if needed) the WAL directory `dir` and starts a new segment after the existing ones. */
  static open(dir: string, options: WalWriterOptions = {}): WalWriter {
    mkdirSync(dir, { recursive: true });
    const last = listSegments(dir).at(-1);
    return new WalWriter(dir, last === undefined ? 0 : last.index + 1, options);
  }

  /** Index of the segment being written. */
  get currentSegment(): number {
    return this.segment;
  }

  /** Where the next record will start: segment index and byte offset. */
  get position(): { segment: number; offset: number } {
    return { segment: this.segment, offset: this.segmentOffset };
  }

  /** fsync(2) calls made so far (group commit makes this smaller than the number of `fsync()` calls). */
  get fsyncs(): number {
    return this.syncCount;
  }

  /**
   * Lays records out in memory without writing (a segment cut writes what precedes it). Either
   * all records are laid out or, if one cannot fit in a segment, none. The records are copied:
   * their buffers may be reused as soon as this returns.
   */
  append(...records: Uint8Array[]): void {
    this.checkUsable();
    const stored = records.map((rec) => (this.compress ? maybeCompress(rec) : { data: rec, compressed: false }));
    const maxRecord = (this.segmentSize / PAGE_SIZE) * MAX_FRAGMENT_DATA;
    for (const { data } of stored) {
      if (data.length > maxRecord) {
        throw new RangeError(`WAL record of ${data.length} bytes does not fit in a ${this.segmentSize}-byte segment`);
      }
    }
    for (const { data, compressed } of stored) {
      if (data.length > recordCapacity(this.segmentOffset, this.segmentSize)) this.cutSegment();
      this.segmentOffset = this.pending.appendRecord(data, compressed, this.segmentOffset);
    }
  }

  /** Writes all pending bytes to the segment file in one write(2). */
  flush(): void {
    this.checkUsable();
    const p = this.pending;
    try {
      let done = 0;
      while (done < p.length) done += writeSync(this.fd, p.bytes, done, p.length - done);
    } catch (err) {
      throw this.fail(err);
    }
    this.flushedTotal += p.length;
    p.clear();
  }

  /** `append` then `flush`: the records are in the OS page cache when this returns. */
  log(...records: Uint8Array[]): void {
    this.append(...records);
    this.flush();
  }

  /**
   * Resolves once everything flushed before the call is on disk. Callers arriving while an
   * fsync runs wait for it and then share the next one (group commit).
   */
  async fsync(): Promise<void> {
    const target = this.flushedTotal;
    while (this.syncedTotal < target) {
      this.checkUsable();
      if (!this.syncInFlight) {
        this.syncInFlight = this.syncOnce().finally(() => {
          this.syncInFlight = undefined;
          this.closeRetired();
        });
      }
      await this.syncInFlight;
    }
  }

  /**
   * Ends the current segment (completing its page with zeros, syncing and closing it) and starts
   * the next one; returns the new segment index. Head truncation cuts a segment so that the
   * older ones can be checkpointed.
   */
  nextSegment(): number {
    this.checkUsable();
    this.cutSegment();
    return this.segment;
  }

  /** Flushes, completes the last page, syncs and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.failed) {
      this.segmentOffset = this.pending.padPage(this.segmentOffset);
      this.flush();
      await this.fsync();
    }
    await this.syncInFlight;
    this.closed = true;
    closeSync(this.fd);
    this.closeRetired();
  }

  private async syncOnce(): Promise<void> {
    const upTo = this.flushedTotal;
    try {
      this.syncCount++;
      await fsyncAsync(this.fd);
    } catch (err) {
      throw this.fail(err);
    }
    this.syncedTotal = Math.max(this.syncedTotal, upTo);
  }

  private cutSegment(): void {
    this.segmentOffset = this.pending.padPage(this.segmentOffset);
    this.flush();
    try {
      // The new segment must not become durable before the old one is.
      this.syncCount++;
      fsyncSync(this.fd);
    } catch (err) {
      throw this.fail(err);
    }
    this.syncedTotal = this.flushedTotal;
    if (this.syncInFlight) this.retired.push(this.fd);
    else closeSync(this.fd);
    this.segment++;
    this.segmentOffset = 0;
    this.fd = this.createSegment(this.segment);
  }

  private createSegment(index: number): number {
    return openSync(join(this.dir, segmentName(index)), 'wx');
  }

  private closeRetired(): void {
    for (const fd of this.retired) closeSync(fd);
    this.retired = [];
  }

  private fail(err: unknown): Error {
    this.failed = new WalWriterError(`WAL ${join(this.dir, segmentName(this.segment))}: ${String(err)}`);
    return this.failed;
  }

  private checkUsable(): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new WalWriterError(`WAL ${this.dir} is closed`);
  }
}
