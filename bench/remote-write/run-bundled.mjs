// Runs a TypeScript bench script the way production code runs: bundled by esbuild for node20 (like
// scripts/build.mjs) and executed by plain node. vite-node's on-the-fly transform makes the class-heavy
// codec roughly 2x slower, which would distort the figures.
// Usage: node bench/remote-write/run-bundled.mjs bench/remote-write/codec-bench.ts [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/remote-write/run-bundled.mjs <script.ts> [args...]');
  process.exit(2);
}
const root = new URL('../..', import.meta.url).pathname;
// the bundle lives in the repository so that third-party packages resolve from its node_modules
const outfile = join(root, 'bench', 'remote-write', `.bundle-${process.pid}.mjs`);
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // third-party packages load from node_modules; the workspace code (imported by path) is bundled
    packages: 'external',
  });
  const run = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outfile, { force: true });
}
