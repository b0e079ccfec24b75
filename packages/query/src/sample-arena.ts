// Sample storage for one query: series get slices of a few large Float64Arrays instead of
// two typed arrays each. Typed arrays beyond a few dozen bytes keep their memory outside
// the JS heap, which makes creating and collecting thousands of them per query costly.

/** Samples of the first block; each further block doubles up to the largest (512 KiB per array). */
const FIRST_BLOCK_SAMPLES = 1 << 10;
const MAX_BLOCK_SAMPLES = 1 << 16;

/**
 * Largest blocks given back by finished requests, for the next ones: allocating (and
 * zeroing, and later collecting) ~15 MB of blocks per query of a million samples is a
 * measurable part of its cost. At most this many are kept (16 MiB).
 */
const POOL_MAX = 16;
const pool: ArenaSlot[] = [];

/** Where a reservation lives: the block arrays and the first index it may write. */
export interface ArenaSlot {
  timestamps: Float64Array;
  values: Float64Array;
  /** `values` as 32-bit words (two per sample, platform order) for bit-exact copies. */
  words: Uint32Array;
  start: number;
}

/**
 * A bump allocator of sample slots. One reservation is open at a time: reserve room for
 * at most `n` samples, write them, then commit the number written; the rest of the room
 * is handed out again.
 */
export class SampleArena {
  private slot: ArenaSlot | undefined;
  private used = 0;
  private reserved = 0;
  /** Blocks of the largest size this arena took, to give back on release. */
  private readonly large: ArenaSlot[] = [];

  reserve(n: number): ArenaSlot {
    if (this.reserved !== 0) throw new Error('SampleArena: a reservation is still open');
    const room = Math.max(n, 1);
    let slot = this.slot;
    if (slot === undefined || this.used + room > slot.timestamps.length) {
      // Small requests stay small; large ones soon get large blocks.
      const size = slot === undefined ? FIRST_BLOCK_SAMPLES : Math.min(2 * slot.timestamps.length, MAX_BLOCK_SAMPLES);
      slot = this.slot = room <= MAX_BLOCK_SAMPLES && pool.length > 0 ? pool.pop()! : newSlot(Math.max(size, room));
      if (slot.timestamps.length === MAX_BLOCK_SAMPLES) this.large.push(slot);
      this.used = 0;
    }
    slot.start = this.used;
    this.reserved = room;
    return slot;
  }

  /**
   * Gives the arena's large blocks to later requests. Every slice handed out is invalid
   * afterwards: call it once the request's answer no longer needs the samples.
   */
  release(): void {
    for (const slot of this.large.splice(0)) if (pool.length < POOL_MAX) pool.push(slot);
    this.slot = undefined;
    this.used = 0;
    this.reserved = 0;
  }

  /**
   * Hands out the current block from its start again, for samples needed only until the
   * next rewind (one series at a time): every slice handed out since is invalid afterwards.
   */
  rewind(): void {
    if (this.reserved !== 0) throw new Error('SampleArena: a reservation is still open');
    this.used = 0;
  }

  /** Closes the open reservation keeping its first `n` samples; returns them. */
  commit(n: number): { timestamps: Float64Array; values: Float64Array } {
    const slot = this.slot;
    if (slot === undefined || this.reserved === 0 || n > this.reserved)
      throw new Error(`SampleArena: commit of ${n} exceeds the reservation`);
    this.reserved = 0;
    const start = slot.start;
    this.used = start + n;
    return { timestamps: slot.timestamps.subarray(start, start + n), values: slot.values.subarray(start, start + n) };
  }
}

function newSlot(size: number): ArenaSlot {
  const timestamps = new Float64Array(size);
  const values = new Float64Array(size);
  return { timestamps, values, words: new Uint32Array(values.buffer), start: 0 };
}
