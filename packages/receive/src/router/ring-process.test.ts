// The ring as real processes: a member killed with SIGKILL under load, then restarted; and
// the CLI refusing an unusable ring.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { freePort, startCli, tempDir, waitForHttpOk, type RunningProcess } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts, LoadGenerator, memberDir, storeSamples, writeHashrings } from './testing/ring';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Member {
  proc: RunningProcess;
  rw: number;
  http: number;
}

async function startMember(
  root: string,
  grpc: number,
  file: string,
  ports?: { rw: number; http: number },
): Promise<Member> {
  const rw = ports?.rw ?? (await freePort());
  const http = ports?.http ?? (await freePort());
  const proc = startCli([
    'receive',
    `--tsdb.path=${memberDir(root, grpc)}`,
    `--remote-write.address=127.0.0.1:${rw}`,
    `--http-address=127.0.0.1:${http}`,
    `--grpc-address=127.0.0.1:${grpc}`,
    `--label=receive_replica="${grpc}"`,
    `--receive.hashrings-file=${file}`,
    `--receive.local-endpoint=127.0.0.1:${grpc}`,
    '--receive.replication-factor=3',
    '--receive-forward-max-backoff=200ms',
    '--log.level=warn',
  ]);
  cleanups.push(() => proc.kill());
  await waitForHttpOk(`http://127.0.0.1:${http}/-/ready`, proc);
  return { proc, rw, http };
}

async function metric(m: Member, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${m.http}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').at(-1));
  return sum;
}

describe('receive ring (processes)', () => {
  it('RF=3: a member killed with SIGKILL under load misses nothing once it is back', async () => {
    const dir = tempDir('ring-proc-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const grpc = await freePorts(3);
    writeHashrings(file, grpc);
    const members = await Promise.all(grpc.map((p) => startMember(dir.path, p, file)));
    const [entry, , victim] = members;
    const load = new LoadGenerator(() => [`http://127.0.0.1:${entry.rw}/api/v1/receive`]);
    await load.waitForAcks(5);
    await victim.proc.kill();
    await load.waitForAcks(10);
    await startMember(dir.path, grpc[2], file, victim);
    await load.waitForAcks(5);
    await load.stop();
    expect(load.failures).toEqual([]);
    for (let i = 0; i < 200 && (await metric(entry, 'thanos_receive_spill_records')) > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await metric(entry, 'thanos_receive_spill_records')).toBe(0);
    expect(await metric(entry, 'thanos_receive_spill_replayed_records_total')).toBeGreaterThan(0);

    const acked = load.ackedSamples();
    for (const port of grpc) {
      const held = (await storeSamples(port)).get('default-tenant') ?? new Set();
      expect(
        acked.filter((k) => !held.has(k)),
        `missing on ${port}`,
      ).toEqual([]);
    }
  }, 150_000);

  it('refuses to start with a ring whose replication factor exceeds its endpoints', async () => {
    const dir = tempDir('ring-proc-bad-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    writeFileSync(file, JSON.stringify([{ hashring: 'main', endpoints: ['127.0.0.1:1', '127.0.0.1:2'] }]));
    const proc = startCli([
      'receive',
      `--tsdb.path=${join(dir.path, 'data')}`,
      '--remote-write.address=127.0.0.1:0',
      '--http-address=127.0.0.1:0',
      '--grpc-address=127.0.0.1:0',
      '--label=r="0"',
      `--receive.hashrings-file=${file}`,
      '--receive.replication-factor=3',
    ]);
    cleanups.push(() => proc.kill());
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toMatch(/hashring #1 \("main"\): replication factor 3 needs at least 3 endpoints/);
  }, 30_000);
});
