import * as grpc from '@grpc/grpc-js';
import { nopLogger } from '@thanos-ts/runtime';
import { createStoreServer, type StoreServer } from '@thanos-ts/storepb';
import { tempDir } from '@thanos-ts/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterMetrics } from './metrics';
import { Peer } from './peer';

const passThrough = (b: Buffer): Buffer => b;

/** An encoded WriteRequest with replica 1 and one opaque extra field naming the write. */
function request(name: string): Buffer {
  const body = Buffer.from(name, 'latin1');
  // field 3 (replica) = 1, then field 15 (unknown to receivers: skipped) = name
  return Buffer.concat([Buffer.from([0x18, 0x01, 0x7a, body.length]), body]);
}

/** The write names in a (possibly joined) request. */
function namesIn(req: Buffer): string[] {
  const names: string[] = [];
  for (let p = 0; p < req.length;) {
    p += 2; // replica
    const len = req[p + 1];
    names.push(req.subarray(p + 2, p + 2 + len).toString('latin1'));
    p += 2 + len;
  }
  return names;
}

describe('Peer', () => {
  let server: StoreServer;
  let address: string;
  const calls: string[][] = [];
  const dir = tempDir('peer-test-');

  beforeAll(async () => {
    server = createStoreServer({ info: { info: () => ({ labelSets: [], componentType: 'receive' }) } });
    server.addService(
      {
        RemoteWrite: {
          path: '/thanos.WriteableStore/RemoteWrite',
          requestStream: false,
          responseStream: false,
          requestSerialize: passThrough,
          requestDeserialize: passThrough,
          responseSerialize: passThrough,
          responseDeserialize: passThrough,
        },
      },
      {
        // slow, so that writes queue behind the running calls; refuses any call holding a "bad" write
        RemoteWrite: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          const names = namesIn(call.request);
          calls.push(names);
          setTimeout(() => {
            if (names.some((n) => n.startsWith('bad'))) {
              cb({ code: grpc.status.ALREADY_EXISTS, details: 'out of order sample' });
            } else cb(null, Buffer.alloc(0));
          }, 50);
        },
      },
    );
    address = await server.listen('127.0.0.1:0');
  });

  afterAll(async () => {
    await server.stop(1000);
    dir.cleanup();
  });

  it('joins concurrent writes into fewer calls, and each write still gets its own outcome', async () => {
    const peer = new Peer({
      address,
      spillRoot: dir.path,
      spillMaxBytes: 1 << 20,
      forwardTimeoutMs: 5000,
      maxBackoffMs: 200,
      logger: nopLogger,
      metrics: new RouterMetrics(new Registry()),
    });
    try {
      const names = ['w0', 'w1', 'w2', 'bad3', 'w4', 'w5', 'w6', 'w7'];
      const outcomes = await Promise.all(names.map((n) => peer.forward(request(n))));
      expect(outcomes.map((o) => o?.kind)).toEqual(names.map((n) => (n.startsWith('bad') ? 'conflict' : undefined)));
      // every write reached the peer, in fewer calls than writes
      const joined = calls.filter((c) => c.length > 1);
      expect(joined.length).toBeGreaterThan(0);
      expect(new Set(calls.flat())).toEqual(new Set(names));
      // the joined call holding the bad write was refused whole, so its writes went again one by one
      const refused = joined.find((c) => c.includes('bad3'))!;
      for (const n of refused) expect(calls).toContainEqual([n]);
      expect(peer.caughtUp).toBe(true);
    } finally {
      await peer.close();
    }
  });
});
