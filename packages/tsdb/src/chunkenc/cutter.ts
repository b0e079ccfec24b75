import type { Chunk } from './chunk';
import { floatHiBits, floatLoBits } from './float-bits';
import { XorChunkEncoder } from './xor';

/** Prometheus' target chunk size (`samplesPerChunk`); chunks are capped at twice this. */
export const SAMPLES_PER_CHUNK = 120;
/** Default head chunk range: the 2h minimum block duration. */
export const DEFAULT_CHUNK_RANGE = 2 * 60 * 60 * 1000;

/** End of the `width`-aligned window containing `t` (Go's `rangeForTimestamp`, truncating division). */
export function rangeForTimestamp(t: number, width: number): number {
  return Math.trunc(t / width) * width + width;
}

/**
 * Prometheus' `computeChunkEndTime`: given a chunk that started at `start` and reached
 * `cur` after a quarter of its target samples, the end time that splits the rest of the
 * window up to `max` into equally sized chunks.
 */
export function computeChunkEndTime(start: number, cur: number, max: number): number {
  const n = Math.trunc((max - start) / ((cur - start + 1) * 4));
  if (n <= 1) return max;
  return start + Math.trunc((max - start) / n);
}

/**
 * Decides where Prometheus 2.42's head (`memSeries.appendPreprocessor`) starts a new
 * chunk for one series: at the end of the aligned chunk-range window, at the end time
 * re-estimated after 30 samples, or after 240 samples. Feed it the in-order timestamps.
 */
export class ChunkCutter {
  private open = false;
  private minTime = 0;
  private maxTime = 0;
  private count = 0;
  private nextAt = 0;

  constructor(readonly chunkRange = DEFAULT_CHUNK_RANGE) {}

  /** Samples in the current chunk. */
  get numSamples(): number {
    return this.count;
  }

  /** Forgets the series: the next sample starts a fresh chunk. */
  reset(): void {
    this.open = false;
    this.count = 0;
  }

  /**
   * Accounts for a sample at `t` (which must be after the previous one) and returns whether
   * it starts a new chunk (always true for the first sample).
   */
  add(t: number): boolean {
    let cut = false;
    if (!this.open) {
      this.start(t);
      cut = true;
    }
    if (this.count === SAMPLES_PER_CHUNK / 4) {
      this.nextAt = computeChunkEndTime(this.minTime, this.maxTime, this.nextAt);
    }
    if (t >= this.nextAt || this.count >= SAMPLES_PER_CHUNK * 2) {
      this.start(t);
      cut = true;
    }
    this.count++;
    this.maxTime = t;
    return cut;
  }

  private start(t: number): void {
    this.open = true;
    this.minTime = t;
    this.count = 0;
    this.nextAt = rangeForTimestamp(t, this.chunkRange);
  }
}

/** A finished chunk with its inclusive time range. */
export interface BuiltChunk {
  minTime: number;
  maxTime: number;
  numSamples: number;
  chunk: Chunk;
}

/**
 * Encodes one series' in-order float samples into XOR chunks cut exactly where
 * Prometheus' head cuts them. Out-of-order samples (at or before the last one) are
 * refused like the head does, by returning false.
 */
export class SeriesChunkBuilder {
  private readonly cutter: ChunkCutter;
  private enc: XorChunkEncoder | undefined;
  private completed: BuiltChunk[] = [];

  constructor(chunkRange = DEFAULT_CHUNK_RANGE) {
    this.cutter = new ChunkCutter(chunkRange);
  }

  /** The open chunk being appended to, if any. */
  get head(): XorChunkEncoder | undefined {
    return this.enc;
  }

  append(t: number, v: number): boolean {
    const hi = floatHiBits(v);
    return this.appendBits(t, hi, floatLoBits());
  }

  appendBits(t: number, hi: number, lo: number): boolean {
    if (this.enc !== undefined && this.enc.numSamples > 0 && t <= this.enc.maxTime) return false;
    if (this.cutter.add(t)) {
      this.closeHead();
      this.enc = new XorChunkEncoder();
    }
    this.enc!.appendBits(t, hi, lo);
    return true;
  }

  /** Chunks completed since the last call (not including the open head chunk). */
  takeCompleted(): BuiltChunk[] {
    const out = this.completed;
    this.completed = [];
    return out;
  }

  /** Closes the head chunk and returns every chunk not yet taken; the builder can then start another series. */
  finish(): BuiltChunk[] {
    this.closeHead();
    this.enc = undefined;
    this.cutter.reset();
    return this.takeCompleted();
  }

  private closeHead(): void {
    const enc = this.enc;
    if (enc === undefined || enc.numSamples === 0) return;
    this.completed.push({
      minTime: enc.minTime,
      maxTime: enc.maxTime,
      numSamples: enc.numSamples,
      chunk: enc.toChunk(),
    });
  }
}
