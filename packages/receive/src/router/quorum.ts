// Replication arithmetic and error-cause aggregation of Thanos receive (spec 1.6), as
// pure functions over per-series counters so that they can be tested against the spec's table.

/** Why one replica write failed. `other` carries its own HTTP status (500, or 429 for a limit). */
export type FailureKind = 'conflict' | 'notReady' | 'unavailable' | 'other';

export interface ReplicaFailure {
  kind: FailureKind;
  message: string;
  /** HTTP status of an `other` failure (500 unless the failure says otherwise). */
  status?: number;
}

/** The replica header names a replica beyond the replication factor (HTTP 400, gRPC InvalidArgument). */
export class BadReplicaError extends Error {
  override readonly name = 'BadReplicaError';
  constructor(replica: number, replicationFactor: number) {
    super(`replica count exceeds replication factor: replica ${replica}, replication factor ${replicationFactor}`);
  }
}

/** Thanos's write quorum: a majority, except that RF=2 needs one success. */
export function writeQuorum(replicationFactor: number): number {
  return replicationFactor === 2 ? 1 : Math.floor(replicationFactor / 2) + 1;
}

export interface ReplicationPlan {
  /** 0-based replicas whose owners get the series. */
  replicas: number[];
  /** Successful replica writes a series needs. */
  successThreshold: number;
  /** Failed replica writes after which a series can no longer succeed. */
  failureThreshold: number;
}

/**
 * The replicas of a request: all of them for a fresh write, the one named for a write that
 * was already replicated (`replica` is the 1-based wire value; 0 means not yet replicated).
 */
export function replicationPlan(replica: number, replicationFactor: number): ReplicationPlan {
  if (replica > replicationFactor) throw new BadReplicaError(replica, replicationFactor);
  const replicas = replica === 0 ? Array.from({ length: replicationFactor }, (_, n) => n) : [replica - 1];
  const successThreshold = replica === 0 ? writeQuorum(replicationFactor) : 1;
  return { replicas, successThreshold, failureThreshold: replicas.length - successThreshold + 1 };
}

const KINDS: readonly FailureKind[] = ['unavailable', 'notReady', 'conflict', 'other'];
const KIND_INDEX: Record<FailureKind, number> = { unavailable: 0, notReady: 1, conflict: 2, other: 3 };

/** HTTP status of a request failing for this cause (spec 1.3 table). */
export function httpStatusOf(failure: ReplicaFailure): number {
  switch (failure.kind) {
    case 'unavailable':
    case 'notReady':
      return 503;
    case 'conflict':
      return 409;
    default:
      return failure.status ?? 500;
  }
}

/**
 * Per-series tallies of replica writes. A series is decided once it has enough successes or
 * so many failures that it cannot get them; `decided` says when the whole request is.
 */
export class ReplicationTally {
  readonly successes: Int32Array;
  /** 4 counters per series, in `KINDS` order. */
  private readonly failures: Int32Array;
  private readonly firstFailure: Array<ReplicaFailure | undefined> = [];
  private undecided: number;

  constructor(
    readonly seriesCount: number,
    readonly plan: ReplicationPlan,
  ) {
    this.successes = new Int32Array(seriesCount);
    this.failures = new Int32Array(seriesCount * KINDS.length);
    this.undecided = seriesCount;
  }

  get decided(): boolean {
    return this.undecided === 0;
  }

  /** Records the outcome of one replica write of `series` (a failure, or success when undefined). */
  record(series: ArrayLike<number>, failure: ReplicaFailure | undefined): void {
    const k = failure === undefined ? -1 : KIND_INDEX[failure.kind];
    if (failure !== undefined) this.firstFailure[k] ??= failure;
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      const before = this.isDecided(s);
      if (k < 0) this.successes[s]++;
      else this.failures[s * KINDS.length + k]++;
      if (!before && this.isDecided(s)) this.undecided--;
    }
  }

  private failureCount(s: number): number {
    const base = s * KINDS.length;
    return this.failures[base] + this.failures[base + 1] + this.failures[base + 2] + this.failures[base + 3];
  }

  private isDecided(s: number): boolean {
    return this.successes[s] >= this.plan.successThreshold || this.failureCount(s) >= this.plan.failureThreshold;
  }

  /**
   * Why series `s` failed, or undefined when it reached its quorum: the most frequent failure
   * kind seen at least `successThreshold` times, else (a mix) `unavailable`, which is retryable.
   */
  seriesCause(s: number): FailureKind | undefined {
    if (this.successes[s] >= this.plan.successThreshold) return undefined;
    if (this.failureCount(s) < this.plan.failureThreshold) return undefined;
    const base = s * KINDS.length;
    let best: FailureKind | undefined;
    let bestCount = 0;
    for (let k = 0; k < KINDS.length; k++) {
      const n = this.failures[base + k];
      if (n >= this.plan.successThreshold && n > bestCount) {
        best = KINDS[k];
        bestCount = n;
      }
    }
    return best ?? 'unavailable';
  }

  /**
   * The request's verdict: undefined when every series reached its quorum, else the failure
   * of the first cause present among failed series in the order unavailable, notReady,
   * conflict, other (retryable causes first, so a mix of 409 and 503 answers 503).
   */
  requestFailure(): ReplicaFailure | undefined {
    const present = new Set<FailureKind>();
    for (let s = 0; s < this.seriesCount; s++) {
      const cause = this.seriesCause(s);
      if (cause !== undefined) present.add(cause);
    }
    for (const kind of KINDS) {
      if (!present.has(kind)) continue;
      const seen = this.firstFailure[KIND_INDEX[kind]];
      return seen ?? { kind, message: 'quorum not reached: replicas failed with mixed errors' };
    }
    return undefined;
  }
}
