// Three (then four) in-process receivers sharing one hashrings file, under remote-write load.
import { join } from 'node:path';
import { tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeriesHasher, HashringConfigError, MultiHashring, parseHashringsConfig } from '../hashring/index';
import { Receiver, type ReceiverConfig } from '../receiver';
import { freePorts, LoadGenerator, memberDir, ringConfig, storeSamples, waitFor, writeHashrings } from './testing/ring';
import { writeFileSync } from 'node:fs';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { GrpcStatus, StoreClient, StoreClientError } from '@thanos-ts/storepb';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startMember(root: string, port: number, overrides: Partial<ReceiverConfig>): Promise<Receiver> {
  const r = new Receiver(ringConfig(memberDir(root, port), port, overrides));
  await r.start();
  cleanups.push(() => r.stop());
  return r;
}

const urlOf = (r: Receiver) => `http://127.0.0.1:${r.remoteWritePort}/api/v1/receive`;

/** How many receivers hold each acknowledged sample (default tenant). */
async function copies(ports: number[], acked: string[]): Promise<Map<string, number>> {
  const count = new Map(acked.map((k) => [k, 0]));
  for (const p of ports) {
    const held = (await storeSamples(p)).get('default-tenant') ?? new Set();
    for (const k of acked) if (held.has(k)) count.set(k, count.get(k)! + 1);
  }
  return count;
}

describe('receive ring', () => {
  it('RF=3: keeps acknowledging while a member is down, and the member gets every sample back', async () => {
    const dir = tempDir('ring-rf3-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const ports = await freePorts(3);
    writeHashrings(file, ports);
    const opts = { hashringsFile: file, replicationFactor: 3 };
    const members = await Promise.all(ports.map((p) => startMember(dir.path, p, opts)));
    const [entry, , victim] = members;
    const load = new LoadGenerator(() => [urlOf(entry)]);
    await load.waitForAcks(10);

    await victim.stop();
    await load.waitForAcks(20);
    const restarted = await startMember(dir.path, ports[2], opts);
    await load.waitForAcks(10);
    await load.stop();
    expect(load.failures).toEqual([]);
    await waitFor(() => entry.spillsDrained, 'the spill to drain');

    const acked = load.ackedSamples();
    for (const port of ports) {
      const held = (await storeSamples(port)).get('default-tenant') ?? new Set();
      expect(
        acked.filter((k) => !held.has(k)),
        `missing on ${port}`,
      ).toEqual([]);
    }
    const metrics = await entry.registry.metrics();
    expect(metrics).toMatch(/thanos_receive_forward_requests_total\{peer="127\.0\.0\.1:\d+",result="spilled"\} [1-9]/);
    expect(metrics).toMatch(/thanos_receive_spill_replayed_records_total\{peer="[^"]+"\} [1-9]/);
    expect(metrics).toMatch(/thanos_receive_replications_total\{result="success"\} [1-9]/);
    expect(restarted.ready()).toBe(true);
  }, 60_000);

  it('takes a fourth member added to the hashrings file under load without failing or losing a write', async () => {
    const dir = tempDir('ring-grow-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const ports = await freePorts(4);
    writeHashrings(file, ports.slice(0, 3));
    const opts = { hashringsFile: file, replicationFactor: 3 };
    const members = await Promise.all(ports.slice(0, 3).map((p) => startMember(dir.path, p, opts)));
    const load = new LoadGenerator(() => members.map(urlOf));
    await load.waitForAcks(10);
    const fourth = await startMember(dir.path, ports[3], opts);
    writeHashrings(file, ports);
    await waitFor(
      () => [...members, fourth].every((m) => /thanos_receive_hashring_version 2/.test(gaugeText(m))),
      'every member to load the new ring',
    );
    await load.waitForAcks(20);
    await load.stop();
    expect(load.failures).toEqual([]);
    for (const m of [...members, fourth]) await waitFor(() => m.spillsDrained, 'spills to drain');

    const count = await copies(ports, load.ackedSamples());
    // every acknowledged sample reached a write quorum (2 of 3 owners) at least
    expect([...count].filter(([, n]) => n < 2)).toEqual([]);
    // and the new member took its share
    expect(((await storeSamples(ports[3])).get('default-tenant') ?? new Set()).size).toBeGreaterThan(0);
  }, 60_000);

  it('routes split tenants by the receive_cluster label before hashing', async () => {
    const dir = tempDir('ring-split-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const ports = await freePorts(3);
    writeHashrings(file, ports);
    const opts = { hashringsFile: file, replicationFactor: 1, splitTenantLabelName: 'receive_cluster' };
    const members = await Promise.all(ports.map((p) => startMember(dir.path, p, opts)));
    const series = Array.from({ length: 30 }, (_, i) => ({ cluster: `c${i % 3}`, name: `s${i}` }));
    const body = compressSnappyBlock(
      encodeWriteRequest({
        timeseries: series.map((s) => ({
          labels: [
            { name: '__name__', value: 'ring_test' },
            { name: 'receive_cluster', value: s.cluster },
            { name: 'series', value: s.name },
          ],
          timestamps: [1000],
          values: Float64Array.of(1),
        })),
      }),
    );
    const res = await fetch(urlOf(members[0]), { method: 'POST', body });
    expect(res.status, await res.text()).toBe(200);

    const hasher = await createSeriesHasher();
    const ring = MultiHashring.build(
      parseHashringsConfig(JSON.stringify([{ endpoints: ports.map((p) => `127.0.0.1:${p}`) }]), 'test').hashrings,
      { replicationFactor: 1 },
      hasher,
    ).hashring;
    for (const port of ports) {
      const held = await storeSamples(port);
      const expected = new Map<string, Set<string>>();
      for (const s of series) {
        const owner = ring.getN(
          s.cluster,
          [
            { name: '__name__', value: 'ring_test' },
            { name: 'series', value: s.name },
          ],
          0,
        );
        if (owner.address !== `127.0.0.1:${port}`) continue;
        if (!expected.has(s.cluster)) expected.set(s.cluster, new Set());
        expected.get(s.cluster)!.add(`${s.name}@1000`);
      }
      expect(held).toEqual(expected);
    }
  }, 30_000);

  it('refuses to start on an unusable ring, naming the problem', async () => {
    const dir = tempDir('ring-bad-');
    cleanups.push(dir.cleanup);
    const [port] = await freePorts(1);
    const file = join(dir.path, 'hashrings.json');
    const cases: Array<[string, Partial<ReceiverConfig>, RegExp]> = [
      ['{"endpoints": [', {}, /hashrings\.json.*(JSON|parse|Unexpected)/i],
      ['[{"endpoints": ["a:1", "a:1"]}]', {}, /"a:1" is listed twice/],
      ['[{"endpoints": ["a:1", "b:1"]}]', { replicationFactor: 3 }, /replication factor 3 needs at least 3 endpoints/],
      ['[{"endpoints": ["a:1"], "algorithm": "rendezvous"}]', {}, /unknown algorithm "rendezvous"/],
    ];
    for (const [text, overrides, message] of cases) {
      writeFileSync(file, text);
      const r = new Receiver(ringConfig(memberDir(dir.path, port), port, { hashringsFile: file, ...overrides }));
      const err = await r.start().then(
        () => r.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err, text).toBeInstanceOf(HashringConfigError);
      expect((err as Error).message, text).toMatch(message);
    }
    const inline = new Receiver(
      ringConfig(memberDir(dir.path, port), port, { hashrings: '[]', localEndpoint: `127.0.0.1:${port}` }),
    );
    await expect(inline.start()).rejects.toThrow(/--receive\.hashrings.*empty/);
  });

  it('RF=1: concurrent writes each get their own answer (one out of order: 409, the rest 200)', async () => {
    const dir = tempDir('ring-join-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const ports = await freePorts(2);
    writeHashrings(file, ports);
    const [entry] = await Promise.all(ports.map((p) => startMember(dir.path, p, { hashringsFile: file })));
    // each request: 20 series of its own (so both members own some of them), one sample each
    const post = (request: number, t: number) =>
      fetch(urlOf(entry), {
        method: 'POST',
        body: compressSnappyBlock(
          encodeWriteRequest({
            timeseries: Array.from({ length: 20 }, (_, i) => ({
              labels: [
                { name: '__name__', value: 'ring_test' },
                { name: 'series', value: `r${request}-s${i}` },
              ],
              timestamps: [t],
              values: Float64Array.of(t),
            })),
          }),
        ),
      });
    const requests = Array.from({ length: 12 }, (_, k) => k);
    for (const res of await Promise.all(requests.map((k) => post(k, 2000)))) expect(res.status).toBe(200);
    // request 5 goes back in time; all are sent at once (peer.test.ts checks the joining of forwards itself)
    const statuses = (await Promise.all(requests.map((k) => post(k, k === 5 ? 1000 : 3000)))).map((r) => r.status);
    expect(statuses).toEqual(requests.map((k) => (k === 5 ? 409 : 200)));
    const held = new Set<string>();
    for (const p of ports) for (const k of (await storeSamples(p)).get('default-tenant') ?? []) held.add(k);
    for (const k of requests) {
      for (let i = 0; i < 20; i++) {
        expect(held.has(`r${k}-s${i}@2000`)).toBe(true);
        expect(held.has(`r${k}-s${i}@3000`)).toBe(k !== 5);
        expect(held.has(`r${k}-s${i}@1000`)).toBe(false);
      }
    }
  });

  it('keeps the last good ring when the file changes to a bad one', async () => {
    const dir = tempDir('ring-reload-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const [port] = await freePorts(1);
    writeHashrings(file, [port]);
    const r = await startMember(dir.path, port, { hashringsFile: file });
    writeFileSync(file, '[{"endpoints": []}]');
    await new Promise((res) => setTimeout(res, 500));
    const res = await fetch(urlOf(r), {
      method: 'POST',
      body: compressSnappyBlock(
        encodeWriteRequest({
          timeseries: [
            { labels: [{ name: '__name__', value: 'ring_test' }], timestamps: [1], values: Float64Array.of(1) },
          ],
        }),
      ),
    });
    expect(res.status).toBe(200);
    expect(gaugeText(r)).toMatch(/thanos_receive_hashring_version 1\b/);
  });
});

describe('WriteableStore/RemoteWrite', () => {
  it('ingestor-only: stores forwarded writes, answers conflicts with AlreadyExists, ignores the replica header', async () => {
    const dir = tempDir('ring-grpc-');
    cleanups.push(dir.cleanup);
    const [port] = await freePorts(1);
    const r = await startMember(dir.path, port, { localEndpoint: undefined });
    expect(r.mode).toBe('IngestorOnly');
    const client = new StoreClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    const series = (t: number) => ({
      labels: [
        { name: '__name__', value: 'ring_test' },
        { name: 'series', value: 'fwd' },
      ],
      timestamps: Float64Array.of(t),
      values: Float64Array.of(t),
      exemplars: [],
      histograms: [],
    });
    await client.remoteWrite({
      timeseries: [],
      tenant: '',
      replica: 1,
      timeseriesTenantData: [{ tenant: 'team-a', timeseries: [series(2000)] }],
    });
    expect((await storeSamples(port)).get('team-a')).toEqual(new Set(['fwd@2000']));
    const err = await client
      .remoteWrite({ timeseries: [series(1000)], tenant: 'team-a', replica: 1, timeseriesTenantData: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreClientError);
    expect((err as StoreClientError).code).toBe(GrpcStatus.ALREADY_EXISTS);

    const res = await fetch(urlOf(r), {
      method: 'POST',
      headers: { 'THANOS-REPLICA': '2' },
      body: compressSnappyBlock(encodeWriteRequest({ timeseries: [{ ...series(3000), timestamps: [3000] }] })),
    });
    expect(res.status).toBe(200);
  });

  it('a router-ingestor stores a replica forwarded to it without routing it again', async () => {
    const dir = tempDir('ring-fwd-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    // The second endpoint never answers: a write routed to it again would fail or spill.
    const [port, absent] = await freePorts(2);
    writeHashrings(file, [port, absent]);
    const r = await startMember(dir.path, port, { hashringsFile: file });
    expect(r.mode).toBe('RouterIngestor');
    const client = new StoreClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    const timeseries = Array.from({ length: 20 }, (_, i) => ({
      labels: [
        { name: '__name__', value: 'ring_test' },
        { name: 'series', value: `s${String(i).padStart(2, '0')}` },
      ],
      timestamps: Float64Array.of(1000),
      values: Float64Array.of(i),
      exemplars: [],
      histograms: [],
    }));
    await client.remoteWrite({ timeseries, tenant: 'team-a', replica: 1, timeseriesTenantData: [] });
    expect((await storeSamples(port)).get('team-a')?.size).toBe(20);
  });

  it('a replica header above the replication factor is refused with 400 by a router-ingestor', async () => {
    const dir = tempDir('ring-rep-');
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'hashrings.json');
    const [port] = await freePorts(1);
    writeHashrings(file, [port]);
    const r = await startMember(dir.path, port, { hashringsFile: file });
    const res = await fetch(urlOf(r), {
      method: 'POST',
      headers: { 'THANOS-REPLICA': '2' },
      body: compressSnappyBlock(
        encodeWriteRequest({
          timeseries: [{ labels: [{ name: '__name__', value: 'x' }], timestamps: [1], values: Float64Array.of(1) }],
        }),
      ),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/replica count exceeds replication factor/);
  });
});

function gaugeText(r: Receiver): string {
  const v = (r.routerMetrics.hashringVersion as unknown as { hashMap: Record<string, { value: number }> }).hashMap;
  return `thanos_receive_hashring_version ${Object.values(v)[0]?.value ?? 0}`;
}
