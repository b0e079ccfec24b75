/** The hashrings configuration (file or inline JSON) is unusable; the message says where and why. */
export class HashringConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HashringConfigError';
  }
}

/** A replica beyond the number of endpoints of the ring was requested (Thanos: "insufficient nodes"). */
export class InsufficientNodesError extends Error {
  constructor(
    readonly have: number,
    readonly want: number,
  ) {
    super(`insufficient nodes; have ${have}, want ${want}`);
    this.name = 'InsufficientNodesError';
  }
}

/** A ketama ring precomputes owners for replicas 0..RF-1 only. */
export class ReplicaOutOfRangeError extends Error {
  constructor(
    readonly replica: number,
    readonly replicationFactor: number,
  ) {
    super(`replica ${replica} out of range: the ketama ring was built for replication factor ${replicationFactor}`);
    this.name = 'ReplicaOutOfRangeError';
  }
}

/** No hashring of the configuration matches the tenant (and there is no default ring). */
export class NoMatchingHashringError extends Error {
  constructor(readonly tenant: string) {
    super(`no matching hashring to handle tenant ${JSON.stringify(tenant)}`);
    this.name = 'NoMatchingHashringError';
  }
}

/** A tenant glob pattern is malformed (Go `path/filepath.ErrBadPattern`). */
export class GlobPatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'GlobPatternError';
  }
}
