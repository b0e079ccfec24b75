// Bundles the CLI and the workspace libraries it uses into one ESM file; third-party
// packages stay external and load from the hoisted node_modules.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outfile = `${root}packages/cli/dist/thanos-ts.mjs`;

const result = await build({
  write: false,
  entryPoints: [`${root}packages/cli/src/main.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
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
  banner: {
    js: "import { createRequire as __thanosCreateRequire } from 'node:module'; const require = __thanosCreateRequire(import.meta.url);",
  },
});
// Written via rename so that concurrent builds (parallel test files) never expose a partial file.
mkdirSync(dirname(outfile), { recursive: true });
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
chmodSync(outfile, 0o755);
