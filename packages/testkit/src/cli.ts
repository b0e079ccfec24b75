import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';
import { startProcess, type RunningProcess } from './process';

let built = false;

/** Bundles the CLI once per test process (esbuild, about a second) so tests run the current code. */
export function ensureCliBuilt(): string {
  if (!built) {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    built = true;
  }
  return join(repoRoot, 'packages', 'cli', 'bin', 'thanos-ts.mjs');
}

/** Starts `thanos-ts <args>` as a child process. */
export function startCli(args: string[], options: { cwd?: string } = {}): RunningProcess {
  return startProcess(process.execPath, [ensureCliBuilt(), ...args], options);
}
