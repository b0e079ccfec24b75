import { runCli } from './cli';
import { rootCommand } from './commands';

const code = await runCli(rootCommand, process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
process.exitCode = code;
