export { ensurePrometheus, promtool } from './prometheus';
export type { ToolResult } from './prometheus';
export { repoRoot, fixturesDir, sharedDir, tempDir } from './paths';
export { freePort } from './net';
export { startProcess, waitForHttpOk, processUsage } from './process';
export type { RunningProcess } from './process';
export { startPrometheus } from './prometheus-server';
export type { PrometheusServer, PrometheusOptions } from './prometheus-server';
export { ensureCliBuilt, startCli } from './cli';
