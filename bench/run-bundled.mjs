// Runs a TypeScript bench script the way production code runs: bundled by esbuild for node20
// (workspace packages included, third-party ones from node_modules) and executed by plain node;
// vite-node's on-the-fly transform makes class-heavy code about 2x slower. Extra node flags come
// from BENCH_NODE_FLAGS (e.g. "--cpu-prof"). The script may lie in another copy of the
// repository: workspace packages are then taken from that copy, so it benchmarks its own code.
// Usage: node bench/run-bundled.mjs <script.ts> [args...]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundle } from '../scripts/bundle.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/run-bundled.mjs <script.ts> [args...]');
  process.exit(2);
}
// next to the script, so that its own `import.meta.url` paths hold and third-party packages
// resolve from the repository's node_modules
const outfile = join(dirname(resolve(entry)), `.bundle-${process.pid}.mjs`);
try {
  await bundle({ entry, outfile, sourceRoot: resolve(dirname(resolve(entry)), '..', '..') });
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const run = spawnSync(process.execPath, [...flags, outfile, ...args], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outfile, { force: true });
}
