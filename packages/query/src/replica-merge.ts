// Merges the replicas of one series into one sample stream: Thanos's penalty algorithm
// (with counter adjustment for rate-like functions) or a plain chain merge, optionally
// recording which replica served which time range (`explain=dedup`).
import { CounterAdjustingIterator, PenaltyDedupIterator, type SampleIterator } from '@thanos-ts/storepb';
import type { DecodedSamples } from './chunk-decode';

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

function finish(ts: Float64Array, vs: Float64Array, n: number, rec?: RangeRecorder): MergedSamples {
  return { timestamps: ts.slice(0, n), values: vs.slice(0, n), ranges: rec?.ranges };
}

function penaltyMerge(replicas: readonly ReplicaSamples[], opts: MergeOptions): MergedSamples {
  const tracker: Tracker = { replica: 0, index: 0 };
  const leaf = (i: number): SampleIterator => {
    const it = new TrackedArrayIterator(replicas[i], i, tracker);
    return opts.counter ? new CounterAdjustingIterator(it) : it;
  };
  let it = leaf(0);
  for (let i = 1; i < replicas.length; i++) it = new PenaltyDedupIterator(it, leaf(i));
  const cap = totalLength(replicas);
  const ts = new Float64Array(cap);
  const vs = new Float64Array(cap);
  const rec = opts.explain ? new RangeRecorder(replicas) : undefined;
  let n = 0;
  while (it.next()) {
    ts[n] = it.atT();
    const v = it.atV();
    const src = replicas[tracker.replica].values;
    // Unadjusted values are copied by bits so stale markers keep their NaN payload.
    if (opts.counter) vs[n] = v;
    else vs.set(src.subarray(tracker.index, tracker.index + 1), n);
    rec?.add(tracker.replica, ts[n]);
    n++;
  }
  return finish(ts, vs, n, rec);
}

/** Union of all samples; at equal timestamps the first replica's sample is kept. */
function chainMerge(replicas: readonly ReplicaSamples[], opts: MergeOptions): MergedSamples {
  const cap = totalLength(replicas);
  const ts = new Float64Array(cap);
  const vs = new Float64Array(cap);
  const pos = new Array<number>(replicas.length).fill(0);
  const rec = opts.explain ? new RangeRecorder(replicas) : undefined;
  let n = 0;
  while (true) {
    let best = -1;
    let bestT = Infinity;
    for (let r = 0; r < replicas.length; r++) {
      const rts = replicas[r].timestamps;
      while (pos[r] < rts.length && n > 0 && rts[pos[r]] <= ts[n - 1]) pos[r]++;
      if (pos[r] < rts.length && rts[pos[r]] < bestT) {
        bestT = rts[pos[r]];
        best = r;
      }
    }
    if (best < 0) break;
    ts[n] = bestT;
    vs.set(replicas[best].values.subarray(pos[best], pos[best] + 1), n);
    rec?.add(best, bestT);
    pos[best]++;
    n++;
  }
  return finish(ts, vs, n, rec);
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
