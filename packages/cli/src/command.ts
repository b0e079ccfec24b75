import type { FlagSpec, FlagValues } from './flags';

/** One `thanos-ts` subcommand (or `tools` sub-subcommand). `run` resolves to the exit code. */
export interface Command {
  name: string;
  summary: string;
  /** Positional arguments shown in usage, e.g. `<data-dir>`. */
  args?: string;
  flags: FlagSpec[];
  /** Nested commands (e.g. `tools tsdb dump`); a command has either these or `run`. */
  subcommands?: Command[];
  run?: (flags: FlagValues, positionals: string[]) => Promise<number>;
}
