import { SAMPLES_PER_CHUNK, XorChunkEncoder } from '../chunkenc';
import type { TimedChunk } from './trim';

/**
 * Encodes one series' merged samples into XOR chunks of at most 120 samples, as Prometheus'
 * compacting chunk merger cuts them.
 */
export class XorChunkSequenceEncoder {
  private enc = new XorChunkEncoder();

  /** `chunks`: where finished chunks are appended (a new list by default). */
  constructor(private readonly chunks: TimedChunk[] = []) {}

  /** Appends a sample (value as its two 32-bit words, so every bit is kept). */
  append(t: number, vHi: number, vLo: number): void {
    if (this.enc.numSamples === SAMPLES_PER_CHUNK) this.cut();
    this.enc.appendBits(t, vHi, vLo);
  }

  /** The chunks, the last one included; the encoder is not used afterwards. */
  finish(): TimedChunk[] {
    if (this.enc.numSamples > 0) this.cut();
    return this.chunks;
  }

  private cut(): void {
    const enc = this.enc;
    this.chunks.push({ minTime: enc.minTime, maxTime: enc.maxTime, chunk: enc.toChunk() });
    this.enc = new XorChunkEncoder();
  }
}

/**
 * Splits chunks sorted by `minTime` into maximal runs whose time ranges overlap (a chunk joins
 * the run when it starts before the run's latest end): a run of one chunk needs no merging.
 */
export function* overlappingRuns<T extends TimedChunk>(sorted: readonly T[]): Generator<T[]> {
  for (let i = 0; i < sorted.length;) {
    let end = sorted[i].maxTime;
    let j = i + 1;
    while (j < sorted.length && sorted[j].minTime <= end) end = Math.max(end, sorted[j++].maxTime);
    yield sorted.slice(i, j);
    i = j;
  }
}
