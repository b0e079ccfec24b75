// Merges the replicas of one series into one sample stream: Thanos's penalty algorithm
// (with counter adjustment for rate-like functions) or a plain chain merge, optionally
// recording which replica served which time range (`explain=dedup`).
import { CounterAdjustingIterator, PenaltyDedupIterator, type SampleIterator } from '@thanos-ts/storepb';
import type { SampleArena } from './sample-arena';
import { HI, LO, SampleBuffer, type DecodedSamples } from './sample-buffer';

export type DedupFunc = 'penalty' | 'chain';

export interface ReplicaSamples extends DecodedSamples {
  /** Names the replica in explanations, e.g. `replica="a" @ 127.0.0.1:10901`. */
  replica: string;
}

/** A stretch of consecutive output samples that came from one replica. */
export interface ServedRange {
  replica: string;
  /** First and last sample timestamps (ms) and the number of samples. */
  from: number;
  to: number;
  samples: number;
}

export interface MergeOptions {
  func: DedupFunc;
  /** The selector feeds rate/increase/irate/resets: keep counters monotonic across switches. */
  counter: boolean;
  explain: boolean;
  /** Where merged samples go (arrays of their own without one). */
  arena?: SampleArena;
}

export interface MergedSamples extends DecodedSamples {
  ranges?: ServedRange[];
}

/** Remembers which leaf replica produced the value read last. */
interface Tracker {
  replica: number;
  index: number;
}

class TrackedArrayIterator implements SampleIterator {
  private i = -1;

  constructor(
    private readonly s: DecodedSamples,
    private readonly id: number,
    private readonly tracker: Tracker,
  ) {}

  next(): boolean {
    if (this.i < this.s.timestamps.length) this.i++;
    return this.i < this.s.timestamps.length;
  }

  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    const ts = this.s.timestamps;
    while (this.i < ts.length && ts[this.i] < t) this.i++;
    return this.i < ts.length;
  }

  atT(): number {
    return this.s.timestamps[this.clamped()];
  }

  atV(): number {
    const i = this.clamped();
    this.tracker.replica = this.id;
    this.tracker.index = i;
    return this.s.values[i];
  }

  adjustAtValue(): void {}

  private clamped(): number {
    return Math.max(0, Math.min(this.i, this.s.timestamps.length - 1));
  }
}

class RangeRecorder {
  readonly ranges: ServedRange[] = [];
  private last = -1;

  constructor(private readonly replicas: readonly ReplicaSamples[]) {}

  add(replica: number, t: number): void {
    const cur = this.ranges[this.ranges.length - 1];
    if (cur && this.last === replica) {
      cur.to = t;
      cur.samples++;
    } else {
      this.ranges.push({ replica: this.replicas[replica].replica, from: t, to: t, samples: 1 });
      this.last = replica;
    }
  }
}

function totalLength(replicas: readonly DecodedSamples[]): number {
  let n = 0;
  for (const r of replicas) n += r.timestamps.length;
  return n;
}

/** The values of each replica as 32-bit words, for copying a sample's exact bits. */
function valueWords(replicas: readonly DecodedSamples[]): Uint32Array[] {
  return replicas.map((r) => new Uint32Array(r.values.buffer, r.values.byteOffset, r.values.length * 2));
}

function penaltyMerge(replicas: readonly ReplicaSamples[], opts: MergeOptions): MergedSamples {
  const tracker: Tracker = { replica: 0, index: 0 };
  const leaf = (i: number): SampleIterator => {
    const it = new TrackedArrayIterator(replicas[i], i, tracker);
    return opts.counter ? new CounterAdjustingIterator(it) : it;
  };
  let it = leaf(0);
  for (let i = 1; i < replicas.length; i++) it = new PenaltyDedupIterator(it, leaf(i));
  const words = valueWords(replicas);
  const out = new SampleBuffer(totalLength(replicas), opts.arena);
  const rec = opts.explain ? new RangeRecorder(replicas) : undefined;
  while (it.next()) {
    const t = it.atT();
    const v = it.atV();
    // Unadjusted values are copied by bits so stale markers keep their NaN payload.
    if (opts.counter) out.push(t, v);
    else {
      const w = words[tracker.replica];
      out.pushBits(t, w[2 * tracker.index + HI], w[2 * tracker.index + LO]);
    }
    rec?.add(tracker.replica, t);
  }
  return { ...out.finish(), ranges: rec?.ranges };
}

/** Union of all samples; at equal timestamps the first replica's sample is kept. */
function chainMerge(replicas: readonly ReplicaSamples[], opts: MergeOptions): MergedSamples {
  const words = valueWords(replicas);
  const out = new SampleBuffer(totalLength(replicas), opts.arena);
  const pos = new Array<number>(replicas.length).fill(0);
  const rec = opts.explain ? new RangeRecorder(replicas) : undefined;
  let lastT = -Infinity;
  while (true) {
    let best = -1;
    let bestT = Infinity;
    for (let r = 0; r < replicas.length; r++) {
      const rts = replicas[r].timestamps;
      while (pos[r] < rts.length && rts[pos[r]] <= lastT) pos[r]++;
      if (pos[r] < rts.length && rts[pos[r]] < bestT) {
        bestT = rts[pos[r]];
        best = r;
      }
    }
    if (best < 0) break;
    const i = pos[best]++;
    out.pushBits(bestT, words[best][2 * i + HI], words[best][2 * i + LO]);
    rec?.add(best, bestT);
    lastT = bestT;
  }
  return { ...out.finish(), ranges: rec?.ranges };
}

export function mergeReplicas(replicas: readonly ReplicaSamples[], opts: MergeOptions): MergedSamples {
  if (replicas.length === 0) return { timestamps: new Float64Array(0), values: new Float64Array(0), ranges: [] };
  if (replicas.length === 1) {
    const only = replicas[0];
    const n = only.timestamps.length;
    const ranges =
      opts.explain && n > 0
        ? [{ replica: only.replica, from: only.timestamps[0], to: only.timestamps[n - 1], samples: n }]
        : undefined;
    return { timestamps: only.timestamps, values: only.values, ranges };
  }
  return opts.func === 'chain' ? chainMerge(replicas, opts) : penaltyMerge(replicas, opts);
}
