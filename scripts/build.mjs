// Bundles the CLI and the workspace libraries it uses into one ESM file; third-party
// packages stay external and load from the hoisted node_modules.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, REQUIRE_BANNER, repoRoot } from './bundle.mjs';

const outfile = await bundle({
  entry: join(repoRoot, 'packages', 'cli', 'src', 'main.ts'),
  outfile: join(repoRoot, 'packages', 'cli', 'dist', 'thanos-ts.mjs'),
  sourcemap: true,
  banner: REQUIRE_BANNER,
});
chmodSync(outfile, 0o755);
