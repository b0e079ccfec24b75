// Running the compactor as a process: one iteration (default) or --wait mode, which
// repeats iterations and serves /metrics, probes and the bucket UI; and the standalone
// bucket UI of `tools bucket web`.
import type { Bucket } from '@thanos-ts/objstore';
import { createHttpServer, listen, runUntilSignal, type Logger } from '@thanos-ts/runtime';
import type { Registry } from 'prom-client';
import { readBucketState } from './bucket-state';
import { buildBucketView } from './bucket-view';
import { Compactor, type CompactorOptions } from './compactor';
import { registerBucketUi } from './web-ui';

export interface RunCompactOptions extends CompactorOptions {
  wait: boolean;
  waitIntervalMs: number;
  httpAddress: string;
}

/** Resolves after `ms` or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function logIteration(logger: Logger, r: Awaited<ReturnType<Compactor['runIteration']>>): void {
  logger.info('compaction iteration done', {
    compactions: r.compactions,
    downsamples: r.downsamples,
    marked_for_deletion: r.markedForDeletion,
    deleted: r.deleted,
    quarantined_groups: r.quarantined.length,
    partial_blocks: r.partial.length,
    unreadable_blocks: r.corrupted.length,
  });
}

/** Runs the compactor; resolves with the process exit code. */
export async function runCompact(options: RunCompactOptions): Promise<number> {
  const { logger } = options;
  const compactor = new Compactor(options);
  if (!options.wait) {
    const r = await compactor.runIteration();
    logIteration(logger, r);
    if (r.halted) {
      logger.error('compactor halted', { err: r.halted });
      return 1;
    }
    return 0;
  }

  let ready = false;
  const app = createHttpServer({ logger, registry: options.registry, probes: { ready: () => ready } });
  registerBucketUi(
    app,
    async () => compactor.view(await readBucketState(options.bucket)),
    'thanos-ts compactor: bucket',
  );
  const port = await listen(app, options.httpAddress);
  logger.info('compactor HTTP server listening', { address: options.httpAddress, port });
  ready = true;

  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const r = await compactor.runIteration();
        if (r.halted)
          logger.error('compactor halted; not compacting until restarted (HTTP stays up)', { err: r.halted });
        else logIteration(logger, r);
      } catch (e) {
        compactor.metrics.retries.inc();
        logger.error('compaction iteration failed; retrying after the wait interval', {
          err: e instanceof Error ? e.message : String(e),
        });
      }
      await sleep(options.waitIntervalMs, abort.signal);
    }
  })();
  return runUntilSignal(
    [
      { name: 'http', stop: () => app.close() },
      {
        name: 'compactor',
        stop: async () => {
          abort.abort();
          await loop;
        },
      },
    ],
    logger,
  );
}

export interface BucketWebOptions {
  bucket: Bucket;
  logger: Logger;
  registry: Registry;
  httpAddress: string;
  replicaLabels?: string[];
}

/** Serves the bucket UI until a signal; the bucket is listed on every page load. */
export async function serveBucketWeb(options: BucketWebOptions): Promise<number> {
  const app = createHttpServer({ logger: options.logger, registry: options.registry, probes: { ready: () => true } });
  registerBucketUi(app, async () =>
    buildBucketView(await readBucketState(options.bucket), options.replicaLabels ?? [], Date.now()),
  );
  const port = await listen(app, options.httpAddress);
  options.logger.info('bucket web UI listening', { address: options.httpAddress, port });
  return runUntilSignal([{ name: 'http', stop: () => app.close() }], options.logger);
}
