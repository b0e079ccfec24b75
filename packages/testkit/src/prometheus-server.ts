import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net';
import { ensurePrometheus } from './prometheus';
import { startProcess, waitForHttpOk, type RunningProcess } from './process';

export interface PrometheusServer extends RunningProcess {
  port: number;
  url: string;
  dataDir: string;
}

export interface PrometheusOptions {
  /** Working directory; `data/` and `prometheus.yml` are created inside. */
  dir: string;
  /** The prometheus.yml text; `{{port}}` is replaced with the port it listens on. */
  config?: string;
  extraArgs?: string[];
}

/** Starts a real Prometheus 2.42 on a free loopback port and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  ensurePrometheus();
  const port = await freePort();
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(options.dir, 'prometheus.yml');
  writeFileSync(configFile, (options.config ?? 'scrape_configs: []\n').replaceAll('{{port}}', String(port)));
  const proc = startProcess('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(options.extraArgs ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttpOk(`${url}/-/ready`, proc);
  } catch (e) {
    await proc.kill();
    throw e;
  }
  return { ...proc, port, url, dataDir };
}
