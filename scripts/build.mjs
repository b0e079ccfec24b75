// Bundles the CLI and the workspace libraries it uses into one ESM file; third-party
// packages stay external and load from the hoisted node_modules.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const outfile = `${root}packages/cli/dist/thanos-ts.mjs`;

await build({
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
chmodSync(outfile, 0o755);
