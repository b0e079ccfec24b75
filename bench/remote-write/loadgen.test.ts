import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRemoteWriteBody } from '../../packages/remote-write/src/index';
import { planLoad, runLoad } from './loadgen';
import { generateSeries } from './series-generator';

describe('series generator', () => {
  it('produces distinct, name-sorted label sets of about ten labels', () => {
    const series = generateSeries(3000);
    const keys = new Set(series.map((s) => JSON.stringify(s.labels)));
    expect(keys.size).toBe(3000);
    for (const s of series) {
      expect(s.labels.length).toBeGreaterThanOrEqual(10);
      const names = s.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
    }
  });
});

describe('remote_write load generator', () => {
  // series -> timestamps received, in arrival order
  const received = new Map<string, number[]>();
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const view = decodeRemoteWriteBody(new Uint8Array(Buffer.concat(chunks)));
        for (let s = 0; s < view.seriesCount; s++) {
          const key = JSON.stringify(view.seriesLabels(s));
          const list = received.get(key) ?? [];
          for (let i = view.seriesSampleStart[s]; i < view.seriesSampleStart[s + 1]; i++) list.push(view.timestamps[i]);
          received.set(key, list);
        }
        // a slow response now and then, so that shards interleave
        setTimeout(() => res.writeHead(204).end(), view.seriesCount % 7);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/receive`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends every sample once, in time order per series, over several shards', async () => {
    const plan = planLoad(
      { seriesCount: 1000, samplesPerSeries: 4, seriesPerRequest: 150, startMs: 1_700_000_000_000 },
      3,
    );
    expect(plan.shards).toHaveLength(3);
    expect(plan.totalSamples).toBe(4000);

    const result = await runLoad({ url, plan });
    expect(result.failed).toBe(0);
    expect(result.requests).toBe(7 * 4); // ceil(1000/150) slices x 4 steps
    expect(result.samples).toBe(4000);
    expect(result.statusCounts).toEqual({ '204': 28 });
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(received.size).toBe(1000);
    const steps = [0, 1, 2, 3].map((k) => 1_700_000_000_000 + k * 15_000);
    for (const ts of received.values()) expect(ts).toEqual(steps);
  });
});
