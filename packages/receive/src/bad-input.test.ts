// Bad remote_write input: every kind gets a 4xx with a message naming the problem, the
// receiver keeps serving, and the valid part of a request is stored.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressSnappyBlock, encodeWriteRequest, type TimeSeriesInput } from '@thanos-ts/remote-write';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLimitsConfig } from './limits';
import { Receiver } from './receiver';
import { loopbackReceiverConfig } from './testing/loopback';

let receiver: Receiver;
const dir = tempDir('receive-bad-');

beforeAll(async () => {
  receiver = new Receiver(
    loopbackReceiverConfig(dir.path, {
      tooFarInFutureMs: 3600_000,
      externalLabels: [{ name: 'replica', value: 'x' }],
      limits: parseLimitsConfig(
        'write:\n  tenants:\n    small:\n      request: { series_limit: 2, samples_limit: 3, size_bytes_limit: 200 }\n',
      ),
    }),
  );
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  dir.cleanup();
});

async function post(body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`, {
    method: 'POST',
    body,
    headers: { 'Content-Encoding': 'snappy', ...headers },
  });
  return { status: res.status, body: await res.text() };
}

const now = Date.now();
function series(labels: Array<[string, string]>, samples: Array<[number, number]>): TimeSeriesInput {
  return {
    labels: labels.map(([name, value]) => ({ name, value })),
    timestamps: samples.map(([t]) => t),
    values: Float64Array.from(samples.map(([, v]) => v)),
  };
}
const body = (...ts: TimeSeriesInput[]) => compressSnappyBlock(encodeWriteRequest({ timeseries: ts }));

describe('bad remote_write input', () => {
  it('answers each malformed body with 400 and a message', async () => {
    const random = Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff);
    expect(await post(random)).toMatchObject({ status: 400, body: expect.stringContaining('snappy') });
    const valid = body(series([['__name__', 'x']], [[now, 1]]));
    expect((await post(valid.subarray(0, valid.length - 3))).status).toBe(400);
    const garbage = compressSnappyBlock(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]));
    expect(await post(garbage)).toMatchObject({ status: 400, body: expect.stringContaining('invalid WriteRequest') });
    const badUtf8 = compressSnappyBlock(
      Uint8Array.from([0x0a, 0x0b, 0x0a, 0x09, 0x0a, 0x01, 0x61, 0x12, 0x04, 0xff, 0xfe, 0xfd, 0xfc]),
    );
    expect((await post(badUtf8)).status).toBe(400);
  });

  it('answers bad labels with 409 and keeps the valid series of the same request', async () => {
    const res = await post(
      body(
        series([['__name__', 'ok_metric']], [[now, 1]]),
        series(
          [
            ['job', 'a'],
            ['__name__', 'unsorted'],
          ],
          [[now, 1]],
        ),
        series(
          [
            ['__name__', 'dup'],
            ['a', '1'],
            ['a', '2'],
          ],
          [[now, 1]],
        ),
        series(
          [
            ['', 'x'],
            ['__name__', 'emptyname'],
          ],
          [[now, 1]],
        ),
      ),
    );
    expect(res.status).toBe(409);
    expect(res.body).toContain('invalid labels: 3 series rejected');
    const db = await receiver.tsdbs.tenant('default-tenant');
    expect(db.head.labelValues('__name__')).toContain('ok_metric');
  });

  it('stores NaN and infinities, refuses samples too far in the future with 409', async () => {
    expect(
      (
        await post(
          body(
            series(
              [['__name__', 'specials']],
              [
                [now, NaN],
                [now + 1, Infinity],
                [now + 2, -Infinity],
              ],
            ),
          ),
        )
      ).status,
    ).toBe(200);
    const res = await post(body(series([['__name__', 'future']], [[now + 10 * 3600_000, 1]])));
    expect(res.status).toBe(409);
    expect(res.body).toContain('too far in the future');
  });

  it('applies the per-tenant request limits with 413', async () => {
    const three = body(...['a', 'b', 'c'].map((n) => series([['__name__', n]], [[now, 1]])));
    expect(await post(three, { 'THANOS-TENANT': 'small' })).toMatchObject({
      status: 413,
      body: 'too many timeseries\n',
    });
    const samples = body(
      series(
        [['__name__', 'a']],
        [
          [now, 1],
          [now + 1, 1],
          [now + 2, 1],
          [now + 3, 1],
        ],
      ),
    );
    expect(await post(samples, { 'THANOS-TENANT': 'small' })).toMatchObject({
      status: 413,
      body: 'too many samples\n',
    });
    const big = body(
      series(
        [
          ['__name__', 'big'],
          ['x', 'y'.repeat(1000)],
        ],
        [[now, 1]],
      ),
    );
    expect((await post(big, { 'THANOS-TENANT': 'small' })).status).toBe(413);
  });

  it('refuses 10 MB of labels without falling over', async () => {
    const huge = body(
      series(
        [
          ['__name__', 'huge'],
          ['blob', 'z'.repeat(10 << 20)],
        ],
        [[now, 1]],
      ),
    );
    const res = await post(huge);
    expect(res.status).toBe(409);
    expect(res.body).toContain('value of label "blob" is 10485760 characters, more than the 65536 allowed');
    expect(res.body.length).toBeLessThan(2000);
    expect((await post(body(series([['__name__', 'after_huge']], [[now, 1]])))).status).toBe(200);
  });

  it('never answers 5xx to thousands of mutated fixture bodies', async () => {
    const fixtureDir = join(fixturesDir, 'remote-write', 'main');
    const bodies = readdirSync(fixtureDir)
      .filter((f) => f.endsWith('.pb'))
      .map((f) => readFileSync(join(fixtureDir, f)));
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const src = bodies[i % bodies.length];
      const m = Uint8Array.from(src);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips && m.length > 0; k++) m[Math.floor(rand() * m.length)] ^= 1 << Math.floor(rand() * 8);
      const cut = rand() < 0.2 ? m.subarray(0, Math.floor(rand() * m.length)) : m;
      const payload = rand() < 0.1 ? cut : compressSnappyBlock(cut);
      const res = await post(payload, { 'THANOS-TENANT': `fuzz${i % 3}` });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect((await post(body(series([['__name__', 'still_alive']], [[now, 1]])))).status).toBe(200);
  });
});
