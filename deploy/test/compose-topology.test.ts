// The docker-compose stack as processes on loopback, started from the compose files
// themselves: three receivers in one hashring (replication factor 3), a store gateway, a
// compactor and a querier with the compose flags, and the real Prometheus 2.42 HA pair
// remote-writing into the receivers. A query through the querier must return what the
// Prometheus servers scraped, deduplicated and in the tenant named by receive_cluster.
//
// Differences from the compose stack, each forced by running without Docker:
// - service addresses become free 127.0.0.1 ports and container paths temp directories;
// - the bucket is a FILESYSTEM bucket in a temp directory instead of MinIO (S3);
// - the Prometheus scrape interval is 1s instead of 15s, so data arrives within seconds.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensurePrometheus,
  freePort,
  repoRoot,
  startCli,
  startProcess,
  tempDir,
  waitForHttpOk,
  type RunningProcess,
} from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCompose } from './compose-model';
import { localCommand, localHashrings, localPrometheusConfig } from './topology-local';

const compose = parseCompose(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'));
const composeFile = (name: string) => readFileSync(join(repoRoot, 'deploy', 'compose', name), 'utf8');
const RECEIVERS = ['receive-1', 'receive-2', 'receive-3'];
const PROMETHEUSES = ['prometheus-a', 'prometheus-b'];

const dir = tempDir('compose-topology-');
const procs: RunningProcess[] = [];
afterAll(async () => {
  // Reverse start order: Prometheus first, so its remote-write queue can still flush to
  // live receivers instead of retrying until its shutdown deadline.
  for (const p of procs.reverse()) await p.stop();
  dir.cleanup();
});

/** Loopback ports for every `service:port` the compose files address. */
async function allocateHosts(): Promise<Map<string, string>> {
  const addresses = [
    ...RECEIVERS.flatMap((r) => [`${r}:10901`, `${r}:10902`, `${r}:19291`]),
    'store:10901',
    'store:10902',
    'compact:10902',
    'query:10901',
    'query:10902',
    ...PROMETHEUSES.map((p) => `${p}:9090`),
  ];
  const hosts = new Map<string, string>();
  for (const a of addresses) hosts.set(a, `127.0.0.1:${await freePort()}`);
  return hosts;
}

function subdir(name: string): string {
  const path = join(dir.path, name);
  mkdirSync(path, { recursive: true });
  return path;
}

async function start(service: string, args: string[], hosts: Map<string, string>, prometheus = false) {
  const proc = prometheus ? startProcess('prometheus', args) : startCli(args);
  procs.push(proc);
  const http = hosts.get(`${service}:${prometheus ? 9090 : 10902}`)!;
  await waitForHttpOk(`http://${http}/-/ready`, proc);
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function instantQuery(address: string, query: string, extra: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(`http://${address}/api/v1/query?${new URLSearchParams({ query, ...extra })}`);
  const body = (await res.json()) as { status: string; data?: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`query ${query} at ${address}: ${JSON.stringify(body)}`);
  return body.data!.result;
}

/** `job/instance` → value, sorted, for comparing answers across servers. */
function byTarget(samples: Sample[]): Array<[string, string]> {
  return samples
    .map((s): [string, string] => [`${s.metric.job}/${s.metric.instance}`, s.value[1]])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('the compose topology on loopback', () => {
  it('answers a query with the Prometheus pair data, deduplicated, in the receive_cluster tenant', async () => {
    const hosts = await allocateHosts();
    const objstore = join(dir.path, 'objstore.yml');
    writeFileSync(objstore, `type: FILESYSTEM\nconfig:\n  directory: ${subdir('bucket')}\n`);
    const hashrings = join(dir.path, 'hashrings.json');
    writeFileSync(hashrings, localHashrings(composeFile('hashrings.json'), hosts));
    const listen = (service: string) => ({
      'grpc-address': hosts.get(`${service}:10901`)!,
      'http-address': hosts.get(`${service}:10902`)!,
    });

    await Promise.all(
      RECEIVERS.map((r) =>
        start(
          r,
          localCommand(
            compose.services[r],
            {
              ...listen(r),
              'remote-write.address': hosts.get(`${r}:19291`)!,
              'tsdb.path': subdir(r),
              'receive.hashrings-file': hashrings,
              'objstore.config-file': objstore,
            },
            hosts,
            ['receive.local-endpoint'],
          ),
          hosts,
        ),
      ),
    );
    await Promise.all([
      start(
        'store',
        localCommand(
          compose.services.store,
          { ...listen('store'), 'data-dir': subdir('store'), 'objstore.config-file': objstore },
          hosts,
        ),
        hosts,
      ),
      start(
        'compact',
        localCommand(
          compose.services.compact,
          {
            'http-address': hosts.get('compact:10902')!,
            'data-dir': subdir('compact'),
            'objstore.config-file': objstore,
          },
          hosts,
        ),
        hosts,
      ),
      start('query', localCommand(compose.services.query, listen('query'), hosts, ['endpoint']), hosts),
    ]);

    ensurePrometheus();
    await Promise.all(
      PROMETHEUSES.map((p) => {
        const config = join(subdir(p), 'prometheus.yml');
        writeFileSync(config, localPrometheusConfig(composeFile(`${p}.yml`), hosts, '1s'));
        const args = localCommand(
          compose.services[p],
          {
            'config.file': config,
            'storage.tsdb.path': subdir(join(p, 'data')),
            'web.listen-address': hosts.get(`${p}:9090`)!,
          },
          hosts,
        );
        return start(p, args, hosts, true);
      }),
    );

    // Every compose service is a scrape target; wait until both Prometheus servers have
    // scraped all of them and the querier serves `up` for each, from both replicas of the
    // pair on all three receivers.
    const TARGETS = 8;
    const query = hosts.get('query:10902')!;
    const [promA, promB] = PROMETHEUSES.map((p) => hosts.get(`${p}:9090`)!);
    let ours: Sample[] = [];
    let raw: Sample[] = [];
    let theirs: Array<Array<[string, string]>> = [];
    for (let i = 0; i < 200; i++) {
      theirs = (await Promise.all([instantQuery(promA, 'up'), instantQuery(promB, 'up')])).map(byTarget);
      [ours, raw] = await Promise.all([instantQuery(query, 'up'), instantQuery(query, 'up', { dedup: 'false' })]);
      if (theirs.every((t) => t.length === TARGETS) && ours.length === TARGETS && raw.length === 6 * TARGETS) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    expect(theirs[0].map(([, v]) => v)).toEqual(Array(TARGETS).fill('1'));
    expect(theirs[1]).toEqual(theirs[0]);
    expect(byTarget(ours)).toEqual(theirs[0]);
    for (const s of ours) {
      // One series per target: `replica` (the Prometheus pair) and `receive_replica` (the
      // three receivers) deduplicated away; receive_cluster became the tenant.
      expect(Object.keys(s.metric).sort()).toEqual(['__name__', 'instance', 'job', 'tenant_id']);
      expect(s.metric.tenant_id).toBe('demo');
    }
    // Without deduplication each target has a copy per Prometheus replica per receiver.
    const copies = new Set(
      raw.map((s) => `${s.metric.job}/${s.metric.instance}/${s.metric.replica}/${s.metric.receive_replica}`),
    );
    expect(copies.size).toBe(6 * TARGETS);
    expect(new Set(raw.map((s) => `${s.metric.replica}/${s.metric.receive_replica}`))).toEqual(
      new Set(['a', 'b'].flatMap((r) => ['1', '2', '3'].map((n) => `${r}/${n}`))),
    );
  }, 90_000);
});
