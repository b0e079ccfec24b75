/** How a receiver handles remote-write requests (Thanos `ReceiverMode`). */
export type ReceiveMode = 'RouterIngestor' | 'RouterOnly' | 'IngestorOnly';

export interface ReceiveModeFlags {
  /** `--receive.hashrings-file`. */
  hashringsFile?: string;
  /** `--receive.hashrings` (inline JSON). */
  hashrings?: string;
  /** `--receive.local-endpoint`. */
  localEndpoint?: string;
}

/**
 * Thanos `determineMode`: with a hashring configuration, a receiver that knows its own
 * endpoint routes and stores (its endpoint is expected to be in a ring), one that does not
 * only routes; without a configuration it stores everything itself.
 */
export function determineReceiveMode(flags: ReceiveModeFlags): ReceiveMode {
  const hashringConfigured = !!flags.hashringsFile || !!flags.hashrings;
  if (!hashringConfigured) return 'IngestorOnly';
  return flags.localEndpoint ? 'RouterIngestor' : 'RouterOnly';
}
