import type { Logger } from './logger';

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * Runs until SIGTERM or SIGINT, then stops the parts in reverse start order (so that
 * listeners close before the storage they write to) and resolves with the exit code.
 * A second signal during shutdown exits at once.
 */
export function runUntilSignal(parts: Stoppable[], logger: Logger): Promise<number> {
  return new Promise((resolveExit) => {
    let stopping = false;
    const onSignal = async (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn('second signal received, exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      logger.info('received signal, shutting down', { signal });
      let code = 0;
      for (const part of [...parts].reverse()) {
        try {
          await part.stop();
          logger.debug('stopped', { part: part.name });
        } catch (err) {
          code = 1;
          logger.error('failed to stop cleanly', { part: part.name, err });
        }
      }
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info('exiting', { code });
      resolveExit(code);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
