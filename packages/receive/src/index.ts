export * from './hashring/index';
export { Receiver } from './receiver';
export type { ReceiverConfig } from './receiver';
export { parseLimitsConfig, noLimits, LimitsConfigError } from './limits';
export type { WriteLimits, TenantLimits, RequestLimits } from './limits';
export { labelSetProblem } from './ingest';
