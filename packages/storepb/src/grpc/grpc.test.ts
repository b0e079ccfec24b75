import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfoResponse, LabelMatcher, Series, SeriesRequest, SeriesResponse, WriteRequest } from '../types';
import { compileMatcher, fromLabelMatchers } from '../labels/matchers';
import { loadUpstreamProtoRoot } from '../proto/upstream';
import { GrpcStatus, StoreApiError, StoreClientError } from './errors';
import { StoreClient } from './client';
import { createStoreServer, type SeriesSink, type StoreServer, type StoreServerImpl } from './server';
import { storeService } from './services';

const TOTAL = 10_000;

function seriesAt(i: number): Series {
  const data = new Uint8Array(64 + (i % 64));
  for (let k = 0; k < data.length; k++) data[k] = (i * 31 + k * 7) & 0xff;
  return {
    labels: [
      { name: '__name__', value: 'http_requests_total' },
      { name: 'instance', value: `host-${String(i).padStart(5, '0')}` },
    ],
    chunks: [{ minTime: i * 1000, maxTime: i * 1000 + 999, raw: { type: 0, data } }],
  };
}

const info: InfoResponse = {
  labelSets: [{ labels: [{ name: 'replica', value: 'r0' }] }],
  componentType: 'receive',
  store: {
    minTime: Number.MIN_SAFE_INTEGER,
    maxTime: Number.MAX_SAFE_INTEGER,
    supportsSharding: false,
    supportsWithoutReplicaLabels: true,
    tsdbInfos: [],
    supportsProjections: false,
  },
};

/** A store whose Series behaviour each test picks by the first matcher's value. */
class TestStore implements StoreServerImpl {
  lastRequest?: SeriesRequest;
  sent = 0;
  waitedForDrain = 0;
  finished?: Promise<unknown>;
  private resolveFinished?: (outcome: unknown) => void;

  async series(req: SeriesRequest, sink: SeriesSink, ctx: { signal: AbortSignal }): Promise<void> {
    this.lastRequest = req;
    this.sent = 0;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    try {
      await this.run(req, sink, ctx.signal);
      this.resolveFinished!('completed');
    } catch (err) {
      this.resolveFinished!(err);
      throw err;
    }
  }

  private async run(req: SeriesRequest, sink: SeriesSink, signal: AbortSignal): Promise<void> {
    switch (req.matchers[0]?.value) {
      case 'invalid':
        throw StoreApiError.invalidArgument('bad matcher: unexpected character in regex');
      case 'limit':
        await sink.send({ type: 'series', series: seriesAt(0) });
        throw StoreApiError.resourceExhausted('exceeded series limit of 1');
      case 'regex':
        fromLabelMatchers(req.matchers.slice(1)).forEach(compileMatcher);
        return;
      case 'few':
        for (let i = 0; i < 3; i++) await sink.send({ type: 'series', series: seriesAt(i) });
        await sink.send({
          type: 'hints',
          hints: { typeUrl: 'type.googleapis.com/hintspb.SeriesResponseHints', value: Uint8Array.of(10, 2, 10, 0) },
        });
        return;
      case 'crash':
        throw new Error('disk on fire');
      case 'hang':
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        throw signal.reason;
      case 'endless':
        for (let i = 0; ; i++) await this.send(sink, { type: 'series', series: seriesAt(i) });
      default:
        await this.send(sink, { type: 'warning', warning: 'partial data' });
        for (let i = 0; i < TOTAL; i++) {
          const s = seriesAt(i);
          await this.send(sink, { type: 'series', series: req.skipChunks ? { labels: s.labels, chunks: [] } : s });
        }
    }
  }

  private async send(sink: SeriesSink, resp: SeriesResponse): Promise<void> {
    const pending = sink.send(resp);
    this.sent++;
    if (pending) {
      this.waitedForDrain++;
      await pending;
    }
  }

  async labelNames() {
    return { names: ['__name__', 'instance', 'replica'], warnings: [] };
  }

  async labelValues(req: { label: string }) {
    if (req.label === '') throw StoreApiError.invalidArgument('label name is required');
    return { values: ['a', 'b'], warnings: ['w'] };
  }
}

const matcher = (value: string): LabelMatcher => ({ type: 0, name: 'mode', value });

describe('StoreAPI over gRPC on loopback', () => {
  const store = new TestStore();
  const written: WriteRequest[] = [];
  let server: StoreServer;
  let client: StoreClient;

  beforeAll(async () => {
    server = createStoreServer({
      store,
      info: { info: () => info },
      writeable: {
        async remoteWrite(req) {
          if (req.tenant === 'over-limit') throw StoreApiError.resourceExhausted('tenant over limit');
          written.push(req);
        },
      },
    });
    client = new StoreClient(await server.listen('127.0.0.1:0'));
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('streams 10k series with chunks that arrive identical, request passed through', async () => {
    const matchers: LabelMatcher[] = [
      { type: 0, name: '__name__', value: 'http_requests_total' },
      { type: 2, name: 'instance', value: 'host-.*' },
    ];
    const received: SeriesResponse[] = [];
    for await (const r of client.series({ minTime: 0, maxTime: 10, matchers, withoutReplicaLabels: ['replica'] })) {
      received.push(r);
    }
    expect(store.lastRequest).toMatchObject({
      minTime: 0,
      maxTime: 10,
      matchers,
      skipChunks: false,
      withoutReplicaLabels: ['replica'],
    });
    expect(received[0]).toEqual({ type: 'warning', warning: 'partial data' });
    expect(received).toHaveLength(TOTAL + 1);
    for (let i = 0; i < TOTAL; i++) {
      const r = received[i + 1];
      if (r.type !== 'series') throw new Error(`frame ${i + 1} is ${r.type}`);
      const want = seriesAt(i);
      expect(r.series.labels).toEqual(want.labels);
      expect(r.series.chunks[0].minTime).toBe(want.chunks[0].minTime);
      expect(Buffer.from(r.series.chunks[0].raw!.data).equals(want.chunks[0].raw!.data)).toBe(true);
    }
  });

  it('talks to a client built from the upstream .proto with protobufjs (a stand-in for Go Thanos)', async () => {
    const upstream = loadUpstreamProtoRoot();
    const Req = upstream.lookupType('thanos.SeriesRequest');
    const Res = upstream.lookupType('thanos.SeriesResponse');
    const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const frames: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = raw.makeServerStreamRequest(
        '/thanos.Store/Series',
        (o: Record<string, unknown>) => Buffer.from(Req.encode(Req.fromObject(o)).finish()),
        (b: Buffer) => Res.toObject(Res.decode(b), { longs: Number }),
        {
          minTime: '-9223372036854775808',
          maxTime: 5000,
          matchers: [{ type: 0, name: 'mode', value: 'few' }],
          skipChunks: false,
        },
      );
      call.on('data', (f: Record<string, unknown>) => frames.push(f));
      call.on('end', resolve);
      call.on('error', reject);
    });
    raw.close();
    expect(store.lastRequest!.minTime).toBe(Number.MIN_SAFE_INTEGER);
    expect(store.lastRequest!.maxTime).toBe(5000);
    expect(frames).toHaveLength(4);
    for (let i = 0; i < 3; i++) {
      const want = seriesAt(i).chunks[0];
      // protobufjs leaves proto3 zero values (the first chunk's minTime 0, type XOR) unset.
      const chunk = {
        ...(want.minTime ? { minTime: want.minTime } : {}),
        maxTime: want.maxTime,
        raw: { data: Buffer.from(want.raw!.data) },
      };
      expect(frames[i]).toEqual({ series: { labels: seriesAt(i).labels, chunks: [chunk] } });
    }
    expect(frames[3]).toEqual({
      hints: { type_url: 'type.googleapis.com/hintspb.SeriesResponseHints', value: Buffer.of(10, 2, 10, 0) },
    });
  });

  it('passes skip_chunks through and packs series into batch frames when asked to', async () => {
    let n = 0;
    for await (const r of client.series({
      minTime: 0,
      maxTime: 1,
      matchers: [],
      skipChunks: true,
      responseBatchSize: 256,
    })) {
      if (r.type === 'series') {
        expect(r.series.labels).toEqual(seriesAt(n).labels);
        expect(r.series.chunks).toEqual([]);
        n++;
      }
    }
    expect(store.lastRequest!.skipChunks).toBe(true);
    expect(n).toBe(TOTAL);

    // On the wire: the warning, then ceil(10000 / 256) batch frames.
    const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const m = storeService.Series;
    const kinds: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = raw.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, {
        minTime: 0,
        maxTime: 1,
        matchers: [],
        responseBatchSize: 256,
      } as unknown as SeriesRequest);
      call.on('data', (r: SeriesResponse) => kinds.push(r.type === 'batch' ? `batch:${r.batch.length}` : r.type));
      call.on('end', resolve);
      call.on('error', reject);
    });
    raw.close();
    expect(kinds).toHaveLength(1 + Math.ceil(TOTAL / 256));
    expect(kinds[0]).toBe('warning');
    expect(kinds[1]).toBe('batch:256');
    expect(kinds.at(-1)).toBe(`batch:${TOTAL % 256}`);
  });

  it('stops the server iteration when the client cancels mid-stream', async () => {
    const ac = new AbortController();
    let got = 0;
    await expect(async () => {
      for await (const r of client.series(
        { minTime: 0, maxTime: 1, matchers: [matcher('endless')] },
        { signal: ac.signal },
      )) {
        expect(r.type).toBe('series');
        if (++got === 100) ac.abort();
      }
    }).rejects.toMatchObject({ code: GrpcStatus.CANCELLED });
    const outcome = await store.finished;
    expect(outcome).toBeInstanceOf(StoreApiError);
    expect((outcome as StoreApiError).code).toBe(GrpcStatus.CANCELLED);
    // Backpressure kept the producer near the consumer instead of racing ahead forever.
    expect(store.waitedForDrain).toBeGreaterThan(0);
  });

  it('cancels the server iteration when the consumer breaks out of the loop', async () => {
    let got = 0;
    for await (const _r of client.series({ minTime: 0, maxTime: 1, matchers: [matcher('endless')] })) {
      if (++got === 10) break;
    }
    const outcome = await store.finished;
    expect((outcome as StoreApiError).code).toBe(GrpcStatus.CANCELLED);
  });

  it('maps implementation errors to gRPC status codes with their message', async () => {
    const collect = async (mode: string) => {
      const frames: SeriesResponse[] = [];
      try {
        for await (const r of client.series({ minTime: 0, maxTime: 1, matchers: [matcher(mode)] })) frames.push(r);
      } catch (err) {
        return { frames, err: err as StoreClientError };
      }
      throw new Error('expected the stream to fail');
    };
    const invalid = await collect('invalid');
    expect(invalid.err).toBeInstanceOf(StoreClientError);
    expect(invalid.err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(invalid.err.message).toContain(server.address);
    expect(invalid.err.message).toContain('bad matcher: unexpected character in regex');

    const limited = await collect('limit');
    expect(limited.frames).toHaveLength(1);
    expect(limited.err.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(limited.err.details).toBe('exceeded series limit of 1');

    const regex = { type: 2 as const, name: 'job', value: 'a(b' };
    const badRegex = await client
      .series({ minTime: 0, maxTime: 1, matchers: [matcher('regex'), regex] })
      .next()
      .catch((e: unknown) => e as StoreClientError);
    expect(badRegex).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect((badRegex as StoreClientError).details).toContain('invalid regular expression "a(b"');

    const crashed = await collect('crash');
    expect(crashed.err.code).toBe(GrpcStatus.UNKNOWN);
    expect(crashed.err.details).toBe('disk on fire');

    await expect(client.labelValues({ label: '', start: 0, end: 1 })).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
      details: 'label name is required',
    });
  });

  it('fails with DEADLINE_EXCEEDED after timeoutMs and cancels the server side', async () => {
    await expect(async () => {
      for await (const _r of client.series(
        { minTime: 0, maxTime: 1, matchers: [matcher('hang')] },
        { timeoutMs: 200 },
      )) {
        // nothing arrives
      }
    }).rejects.toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED });
    const outcome = await store.finished;
    expect((outcome as StoreApiError).code).toBe(GrpcStatus.CANCELLED);
  });

  it('answers Info, the legacy Store/Info, LabelNames and LabelValues', async () => {
    expect(await client.info()).toEqual(info);
    expect(await client.labelNames({ start: 0, end: 1 })).toEqual({
      names: ['__name__', 'instance', 'replica'],
      warnings: [],
    });
    expect(await client.labelValues({ label: 'job', start: 0, end: 1 })).toEqual({
      values: ['a', 'b'],
      warnings: ['w'],
    });

    const legacyOnly = new grpc.Server();
    legacyOnly.addService(storeService, {
      Info: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
        cb(null, { labels: [{ name: 'a', value: '1' }], minTime: 5, maxTime: 9, storeType: 3, labelSets: [] }),
    });
    const port = await new Promise<number>((res, rej) =>
      legacyOnly.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    const old = new StoreClient(`127.0.0.1:${port}`);
    try {
      expect(await old.info()).toMatchObject({
        labelSets: [{ labels: [{ name: 'a', value: '1' }] }],
        componentType: 'sidecar',
        store: { minTime: 5, maxTime: 9 },
      });
    } finally {
      old.close();
      legacyOnly.forceShutdown();
    }
  });

  it('accepts RemoteWrite with tenant, replica and exact float bits', async () => {
    const values = new Float64Array(2);
    new BigUint64Array(values.buffer).set([0x7ff0000000000002n, 0x3ff0000000000000n]);
    const req: WriteRequest = {
      timeseries: [
        {
          labels: [{ name: '__name__', value: 'up' }],
          timestamps: Float64Array.of(1, 2),
          values,
          exemplars: [],
          histograms: [],
        },
      ],
      tenant: 'team-a',
      replica: 2,
      timeseriesTenantData: [],
    };
    await client.remoteWrite(req);
    expect(written).toHaveLength(1);
    expect(written[0].tenant).toBe('team-a');
    expect(written[0].replica).toBe(2);
    expect([...new BigUint64Array(written[0].timeseries[0].values.slice().buffer)]).toEqual([
      0x7ff0000000000002n,
      0x3ff0000000000000n,
    ]);
    await expect(client.remoteWrite({ ...req, tenant: 'over-limit' })).rejects.toMatchObject({
      code: GrpcStatus.RESOURCE_EXHAUSTED,
    });
  });

  it('reports a stopped store as UNAVAILABLE, naming its address', async () => {
    const s = createStoreServer({ store, info: { info: () => info } });
    const address = await s.listen('127.0.0.1:0');
    await s.stop();
    const c = new StoreClient(address);
    try {
      const err = await c.info().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreClientError);
      expect((err as StoreClientError).code).toBe(GrpcStatus.UNAVAILABLE);
      expect((err as StoreClientError).message).toContain(`store ${address}`);
      await expect(async () => {
        for await (const _r of c.series({ minTime: 0, maxTime: 1, matchers: [] })) {
          // none
        }
      }).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE, address });
    } finally {
      c.close();
    }
  });
});

describe('StoreServer lifecycle', () => {
  it('cancels calls still running when the grace period of stop() ends', async () => {
    const store = new TestStore();
    const server = createStoreServer({ store, info: { info: () => info } });
    const client = new StoreClient(await server.listen('127.0.0.1:0'));
    try {
      const pending = client.series({ minTime: 0, maxTime: 1, matchers: [matcher('hang')] }).next();
      await expect.poll(() => store.finished !== undefined).toBe(true);
      await server.stop(100);
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreClientError);
      const outcome = await store.finished;
      expect(outcome).toBeInstanceOf(StoreApiError);
    } finally {
      client.close();
    }
  });

  it('serves only Info when no store is given; Series is UNIMPLEMENTED', async () => {
    const server = createStoreServer({
      info: { info: () => ({ ...info, store: undefined, componentType: 'receive' }) },
    });
    const client = new StoreClient(await server.listen('127.0.0.1:0'));
    try {
      expect((await client.info()).store).toBeUndefined();
      await expect(client.series({ minTime: 0, maxTime: 1, matchers: [] }).next()).rejects.toMatchObject({
        code: GrpcStatus.UNIMPLEMENTED,
      });
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('serves a service added with addService on the same port as the StoreAPI', async () => {
    const server = createStoreServer({ info: { info: () => info } });
    const echo: grpc.ServiceDefinition = {
      Reverse: {
        path: '/test.Echo/Reverse',
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    };
    server.addService(echo, {
      Reverse: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
        cb(null, Buffer.from(call.request).reverse()),
    });
    const address = await server.listen('127.0.0.1:0');
    const raw = new grpc.Client(address, grpc.credentials.createInsecure());
    const client = new StoreClient(address);
    try {
      const reply = await new Promise<Buffer>((resolve, reject) =>
        raw.makeUnaryRequest(
          '/test.Echo/Reverse',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from('abc'),
          (err, res) => (err ? reject(err) : resolve(res!)),
        ),
      );
      expect(reply.toString()).toBe('cba');
      expect((await client.info()).componentType).toBe(info.componentType);
    } finally {
      raw.close();
      client.close();
      await server.stop();
    }
  });
});
