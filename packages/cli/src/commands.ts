import { allInOneCommand } from './cmd-all-in-one';
import type { Command } from './command';
import { promqlToolCommand } from './tools-promql';
import { bucketToolCommand } from './tools-bucket';
import { tsdbToolCommand } from './tools-tsdb';
import { receiveCommand } from './cmd-receive';
import { queryCommand } from './cmd-query';
import { storeCommand } from './cmd-store';
import { compactCommand } from './cmd-compact';

/** Commands under `thanos-ts tools`; each area (tsdb, bucket, promql) adds its group here. */
export const toolCommands: Command[] = [promqlToolCommand, bucketToolCommand, tsdbToolCommand];

/** Top-level service commands (`receive`, `store`, `compact`, `query`, `all-in-one`). */
export const serviceCommands: Command[] = [receiveCommand, queryCommand, storeCommand, compactCommand];

export const rootCommand: Command = {
  name: 'thanos-ts',
  summary: 'A TypeScript implementation of Thanos: receive, store, compact and query Prometheus metrics.',
  flags: [],
  subcommands: [
    ...serviceCommands,
    allInOneCommand((name) => serviceCommands.some((c) => c.name === name)),
    {
      name: 'tools',
      summary: 'Tools for TSDB blocks, buckets and PromQL tests.',
      flags: [],
      subcommands: toolCommands,
    },
  ],
};
