import { connect, constants } from 'node:http2';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest } from '../wire/write-request-codec';
import type { InfoResponse, WriteRequest } from '../types';
import { createStoreServer, type StoreServer } from './server';
import { encodeSnappyStream } from './snappy-stream';

const info = { labelSets: [], componentType: 'receive' } as unknown as InfoResponse;

/** One unary gRPC call with a hand-made frame, as a Go client with `UseCompressor("snappy")` sends it. */
async function rawUnaryCall(port: number, path: string, frame: Uint8Array, encoding: string) {
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-encoding': encoding,
    });
    stream.end(frame);
    stream.resume();
    const trailers = new Promise<Record<string, unknown>>((resolve) => {
      stream.on('response', (h) => h['grpc-status'] !== undefined && resolve(h));
      stream.on('trailers', resolve);
    });
    await once(stream, 'close');
    return await trailers;
  } finally {
    session.close();
  }
}

function frameOf(message: Uint8Array, compressed: boolean): Uint8Array {
  const frame = Buffer.alloc(5 + message.length);
  frame[0] = compressed ? 1 : 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

describe('gRPC requests compressed with snappy (Thanos --receive.grpc-compression=snappy)', () => {
  const written: WriteRequest[] = [];
  let server: StoreServer;
  let port: number;
  beforeAll(async () => {
    server = createStoreServer({
      info: { info: () => info },
      writeable: { remoteWrite: async (req) => void written.push(req) },
    });
    port = Number((await server.listen('127.0.0.1:0')).split(':').pop());
  });
  afterAll(() => server.stop());

  const request: WriteRequest = {
    tenant: 'team-a',
    replica: 1,
    timeseriesTenantData: [],
    timeseries: [
      {
        labels: [{ name: '__name__', value: 'up' }],
        timestamps: Float64Array.of(1000, 2000),
        values: Float64Array.of(1, 0),
        exemplars: [],
        histograms: [],
      },
    ],
  };

  it('decompresses a snappy-framed request before the handler sees it', async () => {
    written.length = 0;
    const message = encodeSnappyStream(encodeWriteRequest(request));
    const status = await rawUnaryCall(port, '/thanos.WriteableStore/RemoteWrite', frameOf(message, true), 'snappy');
    expect(status['grpc-status']).toBe('0');
    expect(written).toHaveLength(1);
    expect(written[0].tenant).toBe('team-a');
    expect(written[0].replica).toBe(1);
    expect(Array.from(written[0].timeseries[0].timestamps)).toEqual([1000, 2000]);
  });

  it('still takes uncompressed messages of a call that declares snappy', async () => {
    written.length = 0;
    const status = await rawUnaryCall(
      port,
      '/thanos.WriteableStore/RemoteWrite',
      frameOf(encodeWriteRequest(request), false),
      'snappy',
    );
    expect(status['grpc-status']).toBe('0');
    expect(written).toHaveLength(1);
  });

  it('answers INTERNAL naming the problem when the snappy stream is corrupt', async () => {
    written.length = 0;
    const status = await rawUnaryCall(
      port,
      '/thanos.WriteableStore/RemoteWrite',
      frameOf(Buffer.from('junk'), true),
      'snappy',
    );
    expect(status['grpc-status']).toBe('13');
    expect(decodeURIComponent(String(status['grpc-message']))).toMatch(/snappy request: chunk at offset 0 declares/);
    expect(written).toHaveLength(0);
  });

  it('leaves other encodings to grpc-js (an unknown one stays UNIMPLEMENTED)', async () => {
    const status = await rawUnaryCall(
      port,
      '/thanos.WriteableStore/RemoteWrite',
      frameOf(Buffer.from('x'), true),
      'zstd',
    );
    expect(status['grpc-status']).toBe('12');
  });
});
