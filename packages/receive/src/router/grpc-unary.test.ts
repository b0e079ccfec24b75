import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { freePort } from '@thanos-ts/testkit';
import { createStoreServer, decodeSnappyStream, rawUnaryMethod, type StoreServer } from '@thanos-ts/storepb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnaryClient } from './grpc-unary';
import { PeerCallError, PeerClient } from './peer-client';

/** A grpc-js server (the one our receivers run) with test methods that echo, fail, or hang. */
describe('UnaryClient against a grpc-js server', () => {
  let server: StoreServer;
  let address: string;
  const received: Array<{ body: Buffer; deadlineInMs: number }> = [];
  const hanging: Array<() => void> = [];

  beforeAll(async () => {
    server = createStoreServer({ info: { info: () => ({ labelSets: [], componentType: 'receive' }) } });
    server.addService(
      {
        Echo: rawUnaryMethod('/test.T/Echo'),
        Fail: rawUnaryMethod('/test.T/Fail'),
        Hang: rawUnaryMethod('/test.T/Hang'),
      },
      {
        Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          received.push({ body: call.request, deadlineInMs: Number(call.getDeadline()) - Date.now() });
          cb(null, Buffer.concat([call.request, call.request]));
        },
        // the request names the status code to answer with
        Fail: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
          cb({ code: call.request[0], details: `failed: 100% sure, ünïcode` }),
        Hang: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
          hanging.push(() => cb(null, Buffer.alloc(0))),
      },
    );
    address = await server.listen('127.0.0.1:0');
  });

  afterAll(async () => {
    for (const release of hanging) release();
    await server.stop(1000);
  });

  it('sends the message as one unary call and gets OK, many calls sharing the connection', async () => {
    const client = new UnaryClient(address);
    try {
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      const bodies = [Buffer.from('hello'), Buffer.alloc(0), big];
      const statuses = await Promise.all(bodies.map((b) => client.call('/test.T/Echo', b, 5000)));
      expect(statuses.map((s) => s.code)).toEqual([grpc.status.OK, grpc.status.OK, grpc.status.OK]);
      const got = received.splice(0);
      expect(got.map((r) => r.body.length).sort((a, b) => a - b)).toEqual([0, 5, big.length]);
      expect(got.find((r) => r.body.length === big.length)!.body.equals(big)).toBe(true);
      expect((await client.call('/test.T/Echo', Buffer.from('again'), 5000)).code).toBe(grpc.status.OK);
    } finally {
      client.close();
    }
  });

  it('compresses with snappy when asked, and the server hands the handler the original bytes', async () => {
    const client = new UnaryClient(address, 'snappy');
    received.length = 0;
    try {
      const text = Buffer.from('compressible '.repeat(20_000));
      const random = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24));
      for (const body of [text, random, Buffer.alloc(0)]) {
        expect((await client.call('/test.T/Echo', body, 5000)).code).toBe(grpc.status.OK);
        expect(received.splice(0).map((r) => r.body.equals(body))).toEqual([true]);
      }
    } finally {
      client.close();
    }
  });

  it('puts a snappy stream behind the compressed flag and declares it in grpc-encoding', async () => {
    const seen: Array<{ encoding: unknown; frame: Buffer }> = [];
    const raw = http2.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        seen.push({ encoding: req.headers['grpc-encoding'], frame: Buffer.concat(parts) });
        res.writeHead(200, { 'content-type': 'application/grpc' });
        res.addTrailers({ 'grpc-status': '0' });
        res.end();
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const client = new UnaryClient(`127.0.0.1:${(raw.address() as AddressInfo).port}`, 'snappy');
    try {
      const body = Buffer.from('compressible '.repeat(20_000));
      expect((await client.call('/test.T/Echo', body, 5000)).code).toBe(grpc.status.OK);
      const [{ encoding, frame }] = seen;
      expect(encoding).toBe('snappy');
      expect(frame[0]).toBe(1);
      expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
      expect(frame.length).toBeLessThan(body.length / 10);
      expect(Buffer.from(decodeSnappyStream(frame.subarray(5), body.length)).equals(body)).toBe(true);
    } finally {
      client.close();
      await new Promise((r) => raw.close(r));
    }
  });

  it('reports the status and percent-decoded message the server answered with', async () => {
    const client = new UnaryClient(address);
    try {
      for (const code of [grpc.status.ALREADY_EXISTS, grpc.status.UNAVAILABLE, grpc.status.INVALID_ARGUMENT]) {
        expect(await client.call('/test.T/Fail', Buffer.from([code]), 5000)).toEqual({
          code,
          details: 'failed: 100% sure, ünïcode',
        });
      }
      expect((await client.call('/test.T/Missing', Buffer.from('x'), 5000)).code).toBe(grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });

  it('ends a call at its deadline with DEADLINE_EXCEEDED and sends the server its deadline', async () => {
    const client = new UnaryClient(address);
    try {
      const status = await client.call('/test.T/Hang', Buffer.from('x'), 200);
      expect(status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      // the connection is still usable afterwards
      expect((await client.call('/test.T/Echo', Buffer.from('y'), 5000)).code).toBe(grpc.status.OK);
      const [echo] = received.splice(0);
      expect(echo.deadlineInMs).toBeGreaterThan(1000);
      expect(echo.deadlineInMs).toBeLessThanOrEqual(5000);
    } finally {
      client.close();
    }
  });

  it('says when the message is released: after the stream closed, also for a call ended by its deadline', async () => {
    const client = new UnaryClient(address);
    try {
      const events: string[] = [];
      const ok = client.call('/test.T/Echo', Buffer.from('z'), 5000, () => events.push('released ok'));
      await ok;
      events.push('resolved ok');
      const late = await client.call('/test.T/Hang', Buffer.from('x'), 100, () => events.push('released hang'));
      events.push('resolved hang');
      expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      await new Promise((r) => setTimeout(r, 200));
      expect(events).toEqual(['released ok', 'resolved ok', 'resolved hang', 'released hang']);
      client.close();
      let released = 0;
      await client.call('/test.T/Echo', Buffer.from('z'), 5000, () => released++);
      expect(released).toBe(1);
      received.splice(0);
    } finally {
      client.close();
    }
  });

  it('reports UNAVAILABLE when nothing listens, and connects once the server is there', async () => {
    const port = await freePort();
    const client = new UnaryClient(`127.0.0.1:${port}`);
    const late = createStoreServer({ info: { info: () => ({ labelSets: [], componentType: 'receive' }) } });
    try {
      const down = await client.call('/thanos.info.Info/Info', Buffer.alloc(0), 5000);
      expect(down.code).toBe(grpc.status.UNAVAILABLE);
      expect(down.details).toMatch(/ECONNREFUSED/);
      await late.listen(`127.0.0.1:${port}`);
      expect((await client.call('/thanos.info.Info/Info', Buffer.alloc(0), 5000)).code).toBe(grpc.status.OK);
      await late.stop(100);
      // the server went away: the next call fails as unavailable rather than hanging
      expect((await client.call('/thanos.info.Info/Info', Buffer.alloc(0), 5000)).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
      await late.stop(100);
    }
  });

  it('maps call failures to PeerCallError with the quorum failure kinds', async () => {
    const peer = new PeerClient(address);
    try {
      await expect(peer.info(5000)).resolves.toBeUndefined();
      const err = await peer.remoteWrite(Buffer.from('x'), 5000).catch((e: unknown) => e);
      // the test server serves no RemoteWrite
      expect(err).toBeInstanceOf(PeerCallError);
      expect((err as PeerCallError).code).toBe(grpc.status.UNIMPLEMENTED);
      expect((err as PeerCallError).retryable).toBe(false);
      expect(new PeerCallError(address, grpc.status.ALREADY_EXISTS, 'dup').toFailure().kind).toBe('conflict');
      expect(new PeerCallError(address, grpc.status.UNAVAILABLE, 'TSDB not ready').toFailure().kind).toBe('notReady');
    } finally {
      peer.close();
    }
  });
});
