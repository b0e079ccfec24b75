export { WriteRouter, spillRootOf } from './router';
export type { LocalWriter, RouteOutcome, WriteRouterOptions } from './router';
export { RouterMetrics } from './metrics';
export { BadReplicaError, httpStatusOf, replicationPlan, ReplicationTally, writeQuorum } from './quorum';
export type { FailureKind, ReplicaFailure, ReplicationPlan } from './quorum';
export { PeerSpill } from './spill';
export type { SpillRecord, SpillListener } from './spill';
export { encodeForwardRequest } from './forward-request';
export type { TenantSeries } from './forward-request';
