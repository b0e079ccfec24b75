export { runCli } from './cli';
export type { Io } from './cli';
export type { Command } from './command';
export { parseFlags, parseDurationMs, formatFlagHelp, UsageError } from './flags';
export type { FlagSpec, FlagValues } from './flags';
export { rootCommand } from './commands';
