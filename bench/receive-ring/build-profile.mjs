// Bundles profile-ring.ts and runs it under `node --cpu-prof` (the profile lands in the current
// directory); the bundle is removed afterwards. Usage:
//   node bench/receive-ring/build-profile.mjs [rf (0: one receiver)] [series]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
// inside the repository, so that third-party packages resolve from its node_modules
const outfile = `${here}.profile-${process.pid}.mjs`;
try {
  await build({
    entryPoints: [`${here}profile-ring.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // third-party packages load from node_modules; workspace packages are bundled
    plugins: [
      {
        name: 'external-third-party',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@thanos-ts/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const run = spawnSync(process.execPath, ['--cpu-prof', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outfile, { force: true });
}
