import type { Command } from './command';
import { formatFlagHelp, parseFlags, UsageError } from './flags';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function usage(path: string[], cmd: Command): string {
  const lines = [
    `usage: ${path.join(' ')}${cmd.subcommands ? ' <command>' : ''}${cmd.args ? ` ${cmd.args}` : ''} [flags]`,
    '',
    cmd.summary,
  ];
  if (cmd.subcommands) {
    lines.push('', 'Commands:');
    const w = Math.max(...cmd.subcommands.map((c) => c.name.length)) + 4;
    for (const c of cmd.subcommands) lines.push(`  ${c.name.padEnd(w)}${c.summary}`);
  }
  if (cmd.flags.length) lines.push('', 'Flags:', formatFlagHelp(cmd.flags));
  return lines.join('\n') + '\n';
}

/**
 * Dispatches argv to a command. Usage problems (unknown command or flag, bad value)
 * print the usage of the nearest command and return 2, as kingpin does for Thanos.
 */
export async function runCli(root: Command, argv: string[], io: Io): Promise<number> {
  const path = [root.name];
  let cmd = root;
  let rest = argv;
  while (cmd.subcommands) {
    const [next, ...tail] = rest;
    if (next === undefined || next === '--help' || next === '-h' || next === 'help') {
      (next === undefined ? io.err : io.out)(usage(path, cmd));
      return next === undefined ? 2 : 0;
    }
    const sub = cmd.subcommands.find((c) => c.name === next);
    if (!sub) {
      io.err(`${path.join(' ')}: unknown command "${next}"\n\n${usage(path, cmd)}`);
      return 2;
    }
    path.push(sub.name);
    cmd = sub;
    rest = tail;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage(path, cmd));
    return 0;
  }
  try {
    const { flags, positionals } = parseFlags(cmd.flags, rest);
    return await cmd.run!(flags, positionals);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${path.join(' ')}: error: ${e.message}\n\n${usage(path, cmd)}`);
      return 2;
    }
    throw e;
  }
}
