import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);

/** `../shared/fixtures`, next to the repository, as the developers' guide lays it out. */
export const fixturesDir = resolve(repoRoot, '..', 'shared', 'fixtures');
export const sharedDir = resolve(repoRoot, '..', 'shared');

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'thanos-ts-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
