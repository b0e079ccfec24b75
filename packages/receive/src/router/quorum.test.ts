import { describe, expect, it } from 'vitest';
import {
  BadReplicaError,
  httpStatusOf,
  replicationPlan,
  ReplicationTally,
  writeQuorum,
  type FailureKind,
  type ReplicaFailure,
} from './quorum';

const fail = (kind: FailureKind): ReplicaFailure => ({ kind, message: kind });

/** The request status when one series gets these replica outcomes (undefined = success). */
function verdict(rf: number, outcomes: Array<FailureKind | undefined>, replica = 0): number {
  const tally = new ReplicationTally(1, replicationPlan(replica, rf));
  for (const o of outcomes) tally.record([0], o && fail(o));
  const failure = tally.requestFailure();
  return failure ? httpStatusOf(failure) : 200;
}

describe('write quorum', () => {
  it('is a majority except that RF=2 needs one success', () => {
    expect([1, 2, 3, 4, 5].map(writeQuorum)).toEqual([1, 1, 2, 3, 3]);
  });

  it('replicates fresh writes to every replica and forwarded ones to the named replica only', () => {
    expect(replicationPlan(0, 3)).toEqual({ replicas: [0, 1, 2], successThreshold: 2, failureThreshold: 2 });
    expect(replicationPlan(2, 3)).toEqual({ replicas: [1], successThreshold: 1, failureThreshold: 1 });
    expect(replicationPlan(0, 2)).toEqual({ replicas: [0, 1], successThreshold: 1, failureThreshold: 2 });
  });

  it('refuses a replica header above the replication factor', () => {
    expect(() => replicationPlan(4, 3)).toThrow(BadReplicaError);
    expect(() => replicationPlan(4, 3)).toThrow(/replica 4, replication factor 3/);
  });
});

describe('error cause aggregation', () => {
  it('RF=1: the one failure decides', () => {
    expect(verdict(1, [undefined])).toBe(200);
    expect(verdict(1, ['conflict'])).toBe(409);
    expect(verdict(1, ['unavailable'])).toBe(503);
    expect(verdict(1, ['other'])).toBe(500);
  });

  it('RF=2: one success is enough; two failures fail', () => {
    expect(verdict(2, ['unavailable', undefined])).toBe(200);
    expect(verdict(2, ['conflict', 'conflict'])).toBe(409);
    expect(verdict(2, ['unavailable', 'conflict'])).toBe(503);
  });

  it('RF=3: two successes; the most frequent cause, else unavailable', () => {
    expect(verdict(3, [undefined, 'unavailable', undefined])).toBe(200);
    expect(verdict(3, ['conflict', 'conflict', undefined])).toBe(409);
    expect(verdict(3, ['notReady', 'notReady', undefined])).toBe(503);
    expect(verdict(3, ['conflict', 'unavailable', undefined])).toBe(503);
    expect(verdict(3, ['other', 'conflict', 'unavailable'])).toBe(503);
    expect(verdict(3, ['other', 'other', undefined])).toBe(500);
  });

  it('a forwarded write (replica > 0) needs its one replica', () => {
    expect(verdict(3, [undefined], 2)).toBe(200);
    expect(verdict(3, ['conflict'], 2)).toBe(409);
  });

  it('a request mixing 409-series and 503-series answers 503 (retryable first)', () => {
    const tally = new ReplicationTally(2, replicationPlan(0, 1));
    tally.record([0], fail('conflict'));
    tally.record([1], fail('unavailable'));
    expect(httpStatusOf(tally.requestFailure()!)).toBe(503);
  });

  it('all series conflicting answers 409 with the first conflict message', () => {
    const tally = new ReplicationTally(2, replicationPlan(0, 3));
    for (let i = 0; i < 3; i++) tally.record([0, 1], { kind: 'conflict', message: `c${i}` });
    expect(tally.requestFailure()).toEqual({ kind: 'conflict', message: 'c0' });
  });

  it('is decided once every series reached quorum or can no longer', () => {
    const tally = new ReplicationTally(2, replicationPlan(0, 3));
    tally.record([0, 1], undefined);
    expect(tally.decided).toBe(false);
    tally.record([0], undefined);
    expect(tally.decided).toBe(false);
    tally.record([1], fail('unavailable'));
    expect(tally.decided).toBe(false);
    tally.record([1], undefined);
    expect(tally.decided).toBe(true);
    expect(tally.requestFailure()).toBeUndefined();
  });

  it('keeps the status of an "other" failure such as the head-series limit', () => {
    const tally = new ReplicationTally(1, replicationPlan(0, 1));
    tally.record([0], { kind: 'other', status: 429, message: 'limit' });
    expect(httpStatusOf(tally.requestFailure()!)).toBe(429);
  });
});
