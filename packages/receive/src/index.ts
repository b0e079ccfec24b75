export * from './hashring/index';
export {
  Receiver,
  RECEIVER_DEFAULTS,
  DEFAULT_FORWARD_MAX_BACKOFF_MS,
  DEFAULT_FORWARD_TIMEOUT_MS,
  DEFAULT_SPILL_MAX_BYTES,
} from './receiver';
export type { ReceiverConfig } from './receiver';
export { parseLimitsConfig, noLimits, LimitsConfigError } from './limits';
export type { WriteLimits, TenantLimits, RequestLimits } from './limits';
export { labelSetProblem } from './ingest';
export {
  BadReplicaError,
  GRPC_COMPRESSIONS,
  httpStatusOf,
  replicationPlan,
  ReplicationTally,
  writeQuorum,
} from './router/index';
export type { FailureKind, GrpcCompression, ReplicaFailure, ReplicationPlan } from './router/index';
export { loopbackReceiverConfig } from './testing/loopback';
