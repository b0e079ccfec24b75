export { ensurePrometheus, promtool } from './prometheus';
export type { ToolResult } from './prometheus';
export { repoRoot, fixturesDir, sharedDir, tempDir } from './paths';
export { freePort } from './net';
