import { createLogger } from '@thanos-ts/runtime';
import { RECEIVER_DEFAULTS, type ReceiverConfig } from '../receiver';

/** A receiver on free loopback ports with a silent logger, for tests and benchmarks. */
export function loopbackReceiverConfig(tsdbPath: string, overrides: Partial<ReceiverConfig> = {}): ReceiverConfig {
  return {
    ...RECEIVER_DEFAULTS,
    remoteWriteAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    grpcAddress: '127.0.0.1:0',
    tsdbPath,
    externalLabels: [{ name: 'replica', value: 'r0' }],
    logger: createLogger({ write: () => {} }),
    ...overrides,
  };
}
