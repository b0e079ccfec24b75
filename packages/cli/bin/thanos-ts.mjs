#!/usr/bin/env node
// Thin launcher: the CLI is bundled by `npm run build` into ../dist.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/thanos-ts.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('thanos-ts is not built yet: run `npm run build` in the repository root.\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
