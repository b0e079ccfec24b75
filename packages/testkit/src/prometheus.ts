// The real Prometheus 2.42 and promtool are the oracle of many tests. They come from
// Debian's `prometheus` package, installed here on first use (CI runs as root).
import { execFileSync, spawnSync } from 'node:child_process';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Makes sure `promtool` and `prometheus` exist, installing Debian's package when missing. */
export function ensurePrometheus(): void {
  if (onPath('promtool') && onPath('prometheus')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('promtool/prometheus are missing and this is not root: run `apt-get install -y prometheus`');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], { stdio: 'ignore', env });
  if (!onPath('promtool')) throw new Error('installing Debian package prometheus did not provide promtool');
}

export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool with the given arguments; output is captured whole (dumps can be large). */
export function promtool(args: string[], options: { input?: string } = {}): ToolResult {
  const r = spawnSync('promtool', args, { encoding: 'utf8', maxBuffer: 1 << 30, input: options.input });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
