// The stack `npm start` runs: remote_write in, PromQL out, and nothing acknowledged lost
// across a restart.
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { freePort, startCli, tempDir, waitForHttpOk, type RunningProcess } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const dir = tempDir('all-in-one-');
let stack: RunningProcess | undefined;
afterAll(async () => {
  await stack?.stop();
  dir.cleanup();
});

async function start(rw: number, http: number): Promise<RunningProcess> {
  const p = startCli([
    'all-in-one',
    `--data-dir=${dir.path}`,
    `--remote-write.address=127.0.0.1:${rw}`,
    `--http-address=127.0.0.1:${http}`,
  ]);
  await waitForHttpOk(`http://127.0.0.1:${http}/-/ready`, p, 60_000);
  return p;
}

async function queryValue(http: number, expr: string): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const r = (await (
      await fetch(`http://127.0.0.1:${http}/api/v1/query?query=${encodeURIComponent(expr)}`)
    ).json()) as {
      data?: { result: Array<{ value: [number, string] }> };
    };
    const v = r.data?.result[0]?.value[1];
    if (v !== undefined) return v;
    await new Promise((res) => setTimeout(res, 200));
  }
  return undefined;
}

describe('all-in-one', () => {
  it('prints both URLs, answers queries over what was written, and keeps it across a restart', async () => {
    const rw = await freePort();
    const http = await freePort();
    stack = await start(rw, http);
    await waitForHttpOk(`http://127.0.0.1:${rw}/-/ready`, stack, 60_000).catch(() => undefined);
    expect(stack.output()).toContain(`remote_write URL: http://127.0.0.1:${rw}/api/v1/receive`);
    expect(stack.output()).toContain(`query URL (Prometheus API and UI): http://127.0.0.1:${http}`);

    const now = Date.now();
    const body = compressSnappyBlock(
      encodeWriteRequest({
        timeseries: [
          {
            labels: [
              { name: '__name__', value: 'aio_test' },
              { name: 'job', value: 'demo' },
            ],
            timestamps: [now - 1000],
            values: Float64Array.of(42),
          },
        ],
      }),
    );
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (
        await fetch(`http://127.0.0.1:${rw}/api/v1/receive`, { method: 'POST', body }).catch(() => ({ status: 0 }))
      ).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 200));
    }
    expect(status).toBe(200);
    expect(await queryValue(http, 'aio_test{job="demo"}')).toBe('42');

    expect(await stack.stop()).toBe(0);
    stack = await start(rw, http);
    expect(await queryValue(http, 'aio_test{job="demo"}')).toBe('42');
  });
});
