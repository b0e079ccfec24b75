// Reused memory for forwarded requests. A forward is large (a third of the received request at
// RF=1, all of it at RF=3) and lives for a round trip to the peer, long enough for V8 to promote
// it to the old generation. Promoted ArrayBuffers are only freed by a full GC, and V8 starts a
// full GC of the whole heap (the TSDB heads) for every 64 MiB of them ("external memory
// pressure"): at RF=3 most full GCs of a ring member had that cause (bench/README.md, "receive
// ring"). Buffers given back are handed out again instead.

/** Smaller requests come from Node's own buffer pool. */
const MIN_POOLED_BYTES = 16 * 1024;
/** Larger ones are allocated and left to the GC (a ring forwards far smaller requests). */
const MAX_POOLED_BYTES = 16 * 1024 * 1024;
/** Buffers kept per size class: more than the forwards a member has in flight. */
const KEPT_PER_CLASS = 16;

export class ForwardBuffers {
  /** Free buffers by capacity (powers of two). */
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Buffers made here, so that `release` takes back nothing else. */
  private readonly mine = new WeakSet<ArrayBuffer>();

  /** A buffer of `size` bytes (contents undefined); give it back with `release` once unused. */
  acquire(size: number): Buffer {
    if (size < MIN_POOLED_BYTES || size > MAX_POOLED_BYTES) return Buffer.allocUnsafe(size);
    const capacity = 2 ** Math.ceil(Math.log2(size));
    let memory = this.free.get(capacity)?.pop();
    if (memory === undefined) {
      memory = new ArrayBuffer(capacity);
      this.mine.add(memory);
    }
    return Buffer.from(memory, 0, size);
  }

  /** Takes back a buffer from `acquire` that nothing reads or writes any more. */
  release(buf: Buffer): void {
    const memory = buf.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.mine.has(memory)) return;
    let list = this.free.get(memory.byteLength);
    if (list === undefined) this.free.set(memory.byteLength, (list = []));
    if (list.length < KEPT_PER_CLASS && !list.includes(memory)) list.push(memory);
  }
}
