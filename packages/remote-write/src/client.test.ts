import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteWriteClient, RemoteWriteTimeoutError } from './client';
import { decodeRemoteWriteBody } from './write-request-decoder';
import type { WriteRequestView } from './write-request-view';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  view: WriteRequestView;
}

describe('RemoteWriteClient', () => {
  const received: Received[] = [];
  let connections = 0;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const view = decodeRemoteWriteBody(new Uint8Array(Buffer.concat(chunks)));
        received.push({ method: req.method!, url: req.url!, headers: req.headers, view });
        if (view.seriesLabels(0)[0].value === 'reject_me') {
          res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('out of order sample\n');
        } else {
          res.writeHead(204).end();
        }
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/receive`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const request = (name: string) => ({
    timeseries: [
      {
        labels: [{ name: '__name__', value: name }],
        timestamps: [1700000000000],
        values: Float64Array.of(42),
      },
    ],
  });

  it('POSTs a snappy WriteRequest with the headers Prometheus sends and reuses its connection', async () => {
    const client = new RemoteWriteClient({ url, tenant: 'team-a', userAgent: 'Prometheus/2.42.0' });
    const first = await client.write(request('up'));
    const second = await client.write(request('up'), { tenant: 'team-b' });
    client.close();

    expect(first.status).toBe(204);
    expect(second.status).toBe(204);
    expect(connections).toBe(1);
    const [a, b] = received.slice(-2);
    expect(a.method).toBe('POST');
    expect(a.url).toBe('/api/v1/receive');
    expect(a.headers['content-encoding']).toBe('snappy');
    expect(a.headers['content-type']).toBe('application/x-protobuf');
    expect(a.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(a.headers['user-agent']).toBe('Prometheus/2.42.0');
    expect(a.headers['thanos-tenant']).toBe('team-a');
    expect(b.headers['thanos-tenant']).toBe('team-b');
    expect(a.view.seriesLabels(0)).toEqual([{ name: '__name__', value: 'up' }]);
    expect(Array.from(a.view.values)).toEqual([42]);
  });

  it('returns the status and body of an error response', async () => {
    const client = new RemoteWriteClient({ url, tenantHeader: 'X-Scope-OrgID', tenant: 'org-1' });
    const res = await client.write(request('reject_me'));
    client.close();
    expect(res.status).toBe(400);
    expect(res.body).toBe('out of order sample\n');
    expect(received.at(-1)!.headers['x-scope-orgid']).toBe('org-1');
  });

  it('sends no tenant header when no tenant is configured', async () => {
    const client = new RemoteWriteClient({ url });
    await client.write(request('up'));
    client.close();
    expect(received.at(-1)!.headers['thanos-tenant']).toBeUndefined();
  });

  it('gives up with RemoteWriteTimeoutError when the server does not answer in time', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = new RemoteWriteClient({
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      timeoutMs: 200,
    });
    try {
      await expect(client.write(request('up'))).rejects.toBeInstanceOf(RemoteWriteTimeoutError);
    } finally {
      client.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
