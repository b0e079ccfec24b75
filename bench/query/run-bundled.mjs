// Runs a query bench script bundled by esbuild (workspace packages included, third-party
// ones from node_modules) under plain node, as production runs. Extra node flags come from
// BENCH_NODE_FLAGS (e.g. "--cpu-prof"). The entry may lie in another copy of the repository.
// Usage: node bench/query/run-bundled.mjs bench/query/profile-query.ts [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/query/run-bundled.mjs <script.ts> [args...]');
  process.exit(2);
}
const root = new URL('../..', import.meta.url).pathname;
const outfile = join(root, 'bench', 'query', `.bundle-${process.pid}.mjs`);
// Workspace packages come from the tree the entry sits in (so that a copy of the
// repository, e.g. an older version, benchmarks its own code); the rest stays external.
const sourceRoot = resolve(dirname(resolve(entry)), '..', '..');
const workspaceBundled = {
  name: 'workspace-bundled',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      const m = /^@thanos-ts\/([^/]+)$/.exec(a.path);
      return m ? { path: join(sourceRoot, 'packages', m[1], 'src', 'index.ts') } : { external: true };
    });
  },
};
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [workspaceBundled],
  });
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const run = spawnSync(process.execPath, [...flags, outfile, ...args], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outfile, { force: true });
}
