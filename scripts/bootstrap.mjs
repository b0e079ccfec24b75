// Installs the workspace's dependencies with the pinned pnpm, so that `npm start`,
// `npm test` and `npm run build` work on a machine that has only Node and npm.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');

const upToDate = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
if (!upToDate) {
  const args = ['--yes', `pnpm@${pnpmVersion}`, 'install'];
  if (process.env.CI) args.push('--frozen-lockfile');
  process.stdout.write(`installing dependencies with pnpm ${pnpmVersion}...\n`);
  execFileSync('npx', args, { cwd: root, stdio: 'inherit' });
}
