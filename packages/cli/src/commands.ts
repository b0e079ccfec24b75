import type { Command } from './command';

/** Commands under `thanos-ts tools`; each area (tsdb, bucket, promql) adds its group here. */
export const toolCommands: Command[] = [];

/** Top-level service commands (`receive`, `store`, `compact`, `query`, `all-in-one`). */
export const serviceCommands: Command[] = [];

export const rootCommand: Command = {
  name: 'thanos-ts',
  summary: 'A TypeScript implementation of Thanos: receive, store, compact and query Prometheus metrics.',
  flags: [],
  subcommands: [
    ...serviceCommands,
    {
      name: 'tools',
      summary: 'Tools for TSDB blocks, buckets and PromQL tests.',
      flags: [],
      subcommands: toolCommands,
    },
  ],
};
