import { afterAll, describe, expect, it } from 'vitest';
import { processUsage, startPrometheus, tempDir, type PrometheusServer } from './index';

describe('startPrometheus', () => {
  const dir = tempDir();
  let prom: PrometheusServer | undefined;
  afterAll(async () => {
    await prom?.stop();
    dir.cleanup();
  });

  it('runs a real Prometheus on loopback that answers queries, and measures it', async () => {
    prom = await startPrometheus({ dir: dir.path });
    const body = (await (await fetch(`${prom.url}/api/v1/query?query=1%2B1`)).json()) as { data: { result: unknown } };
    expect(body.data.result).toEqual([expect.any(Number), '2']);
    const usage = processUsage(prom.pid);
    expect(usage.rssBytes).toBeGreaterThan(1 << 20);
    expect(await prom.stop()).toBe(0);
  });
});
