// esbuild bundling shared by the CLI build and the benchmarks: workspace packages
// (`@thanos-ts/<name>`) are bundled from a source tree's `packages/<name>/src`, third-party
// packages stay external and load from the hoisted node_modules next to the output file.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('..', import.meta.url).pathname);

/** Gives bundled ESM a `require` for the few CommonJS-only dependencies that call it. */
export const REQUIRE_BANNER =
  "import { createRequire as __thanosCreateRequire } from 'node:module'; const require = __thanosCreateRequire(import.meta.url);";

export async function bundle({ entry, outfile, sourceRoot = repoRoot, sourcemap = false, banner }) {
  const result = await build({
    write: false,
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap,
    logLevel: 'warning',
    plugins: [
      {
        name: 'workspace-bundled-third-party-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            const workspace = /^@thanos-ts\/([^/]+)$/.exec(args.path);
            if (workspace) return { path: join(sourceRoot, 'packages', workspace[1], 'src', 'index.ts') };
            return { path: args.path, external: true };
          });
        },
      },
    ],
    ...(banner && { banner: { js: banner } }),
  });
  // Written via rename so that concurrent builds (parallel test files) never expose a partial file.
  mkdirSync(dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  return outfile;
}
