import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** Where an index writer sends its bytes, in order. The writer batches them into large writes. */
export interface IndexSink {
  write(bytes: Uint8Array): void;
  close(): void;
}

/** Collects the index in memory (tests, small indexes, uploads from memory). */
export class MemoryIndexSink implements IndexSink {
  private parts: Uint8Array[] = [];
  private size = 0;

  write(bytes: Uint8Array): void {
    this.parts.push(bytes.slice());
    this.size += bytes.length;
  }

  close(): void {}

  /** Everything written so far as one array. */
  bytes(): Uint8Array {
    if (this.parts.length !== 1) {
      const all = new Uint8Array(this.size);
      let at = 0;
      for (const p of this.parts) {
        all.set(p, at);
        at += p.length;
      }
      this.parts = [all];
    }
    return this.parts[0];
  }
}

/** Writes to a new local file (truncating an existing one); `close` fsyncs it. */
export class FileIndexSink implements IndexSink {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o666);
  }

  write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
