import { Registry, Counter } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpServer, createLogger, listen, parseListenAddress } from './index';

describe('logger', () => {
  const at = () => new Date('2026-01-02T03:04:05.000Z');

  it('writes logfmt lines with level, time, base fields and quoting', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now: at }).with({ component: 'receive' });
    log.info('WAL replay done', { samples: 10, dir: '/tmp/a b' });
    log.debug('hidden');
    expect(lines).toEqual([
      'level=info ts=2026-01-02T03:04:05.000Z component=receive msg="WAL replay done" samples=10 dir="/tmp/a b"',
    ]);
  });

  it('writes JSON and honours the level', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now: at, level: 'warn', format: 'json' });
    log.info('no');
    log.error('upload failed', { err: new Error('boom') });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'error', ts: '2026-01-02T03:04:05.000Z', msg: 'upload failed', err: 'boom' },
    ]);
  });
});

describe('parseListenAddress', () => {
  it('accepts Thanos-style addresses', () => {
    expect(parseListenAddress('0.0.0.0:10902')).toEqual({ host: '0.0.0.0', port: 10902 });
    expect(parseListenAddress(':19291')).toEqual({ host: '0.0.0.0', port: 19291 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListenAddress('localhost')).toThrow(/want host:port/);
  });
});

describe('http server', () => {
  let ready = false;
  const registry = new Registry();
  new Counter({ name: 'thanos_test_total', help: 'test', registers: [registry] }).inc(3);
  const app = createHttpServer({ logger: createLogger({ write: () => {} }), registry, probes: { ready: () => ready } });
  afterAll(() => app.close());

  it('serves health, readiness and metrics', async () => {
    const port = await listen(app, '127.0.0.1:0');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${base}/-/ready`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/-/ready`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('thanos_test_total 3');
  });
});
