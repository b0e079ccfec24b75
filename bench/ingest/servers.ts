// The two servers under test, started fresh on a new data directory: our receiver (the bundled CLI, run by plain
// node like production) and Prometheus 2.42 with its remote-write receiver.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, startPrometheus, startProcess, waitForHttpOk } from '../../packages/testkit/src/index';
import type { RunningProcess } from '../../packages/testkit/src/index';

export type ServerKind = 'ours' | 'prometheus';

export interface ServerUnderTest {
  kind: ServerKind;
  proc: RunningProcess;
  writeUrl: string;
  /** The directory holding the WAL(s): every file below a `wal` directory counts. */
  dataDir: string;
}

export interface StartOptions {
  /** Ours only: `--tsdb.wal-fsync`. */
  walFsync?: boolean;
  /** Extra node flags for our receiver (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

// Bundled scripts cannot find the repository from their own location: run them from the repository root.
const repoRoot = resolve('.');
let cliPath: string | undefined;

/**
 * Bundles the CLI once (scripts/build.mjs) and runs a private copy of the bundle, so that every server of a run
 * executes the same code even if someone rebuilds the CLI meanwhile. The copy sits in the repository so that
 * third-party packages resolve from its node_modules; it is removed when the process exits.
 */
export function cli(): string {
  if (!cliPath) {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    const built = join(repoRoot, 'packages', 'cli', 'dist', 'thanos-ts.mjs');
    const copy = join(repoRoot, 'bench', 'ingest', `.receiver-${process.pid}.mjs`);
    copyFileSync(built, copy);
    copyFileSync(`${built}.map`, `${copy}.map`);
    process.on('exit', () => {
      rmSync(copy, { force: true });
      rmSync(`${copy}.map`, { force: true });
    });
    // an interrupted run still removes the copy (the exit handler does not run on a signal)
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
    cliPath = copy;
  }
  return cliPath;
}

export async function startServer(kind: ServerKind, dir: string, options: StartOptions = {}): Promise<ServerUnderTest> {
  if (kind === 'prometheus') {
    const p = await startPrometheus({ dir, extraArgs: ['--web.enable-remote-write-receiver', '--log.level=info'] });
    return { kind, proc: p, writeUrl: `${p.url}/api/v1/write`, dataDir: p.dataDir };
  }
  const [rw, http, grpc] = [await freePort(), await freePort(), await freePort()];
  const dataDir = join(dir, 'data');
  const proc = startProcess(process.execPath, [
    ...(options.nodeArgs ?? []),
    cli(),
    'receive',
    `--tsdb.path=${dataDir}`,
    `--remote-write.address=127.0.0.1:${rw}`,
    `--http-address=127.0.0.1:${http}`,
    `--grpc-address=127.0.0.1:${grpc}`,
    '--label=receive_replica="0"',
    ...(options.walFsync ? ['--tsdb.wal-fsync'] : []),
  ]);
  try {
    await waitForHttpOk(`http://127.0.0.1:${http}/-/ready`, proc);
  } catch (e) {
    await proc.kill();
    throw e;
  }
  return { kind, proc, writeUrl: `http://127.0.0.1:${rw}/api/v1/receive`, dataDir };
}

/** Total size of the files below every `wal` directory under `dir`. */
export function walBytes(dir: string, insideWal = false): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += walBytes(p, insideWal || e.name === 'wal');
    else if (insideWal && e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Samples per second from the `WAL replay completed` log line (ours: samples_per_second; Prometheus: duration). */
export function replayRate(kind: ServerKind, output: string, samples: number): number | undefined {
  if (kind === 'ours') {
    const m = /WAL replay completed.*?samples_per_second=(\d+)/.exec(output);
    return m ? Number(m[1]) : undefined;
  }
  const m = /WAL replay completed.*?total_replay_duration=([\d.]+)(ms|s|µs)/.exec(output);
  if (!m) return undefined;
  const seconds = Number(m[1]) / (m[2] === 'ms' ? 1000 : m[2] === 'µs' ? 1e6 : 1);
  return samples / seconds;
}
