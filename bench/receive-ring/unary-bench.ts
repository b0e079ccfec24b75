// CPU per forwarded call on loopback, client and server in one process: our unary client against
// the grpc-js StoreAPI server with a handler that answers at once.
// npx vite-node bench/receive-ring/unary-bench.ts -- [--calls 2000] [--bytes 115000] [--window]
import { parseArgs } from 'node:util';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { createStoreServer, rawUnaryMethod } from '../../packages/storepb/src/index';
import { UnaryClient } from '../../packages/receive/src/router/grpc-unary';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    calls: { type: 'string', default: '2000' },
    bytes: { type: 'string', default: '115000' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
  },
});
const server = createStoreServer({ info: { info: () => ({ labelSets: [], componentType: 'receive' }) } });
let frames = 0;
server.addService(
  { Echo: rawUnaryMethod('/test.T/Echo') },
  {
    Echo: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(0)),
  },
);
let address = await server.listen('127.0.0.1:0');
let raw: http2.Http2Server | undefined;
if (values.raw) {
  // the least a server can do: a plain node:http2 server answering OK once the message is in
  raw = http2.createServer();
  raw.on('stream', (stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => {
      frames++;
      chunks.push(c);
    });
    stream.on('end', () => {
      Buffer.concat(chunks);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  const listening = raw;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(listening.address() as { port: number }).port}`;
}
const http2Servers = (server as unknown as { server: { http2Servers: Map<http2.Http2Server, unknown> } }).server
  .http2Servers;
for (const s of http2Servers.keys()) {
  s.on('session', (session: http2.ServerHttp2Session) => {
    if (values.window) {
      session.settings({ initialWindowSize: 8 << 20, maxFrameSize: (1 << 24) - 1 });
      session.setLocalWindowSize(32 << 20);
    }
    session.on('stream', (st) => st.on('data', () => frames++));
  });
}
const client = new UnaryClient(address);
const message = Buffer.alloc(Number(values.bytes), 7);
const calls = Number(values.calls);
for (let round = 0; round < Number(values.rounds); round++) {
  frames = 0;
  const before = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const st = await client.call('/test.T/Echo', message, 5000);
    if (st.code !== grpc.status.OK) throw new Error(st.details);
  }
  const cpu = process.cpuUsage(before);
  console.log(
    `round ${round}: ${((cpu.user + cpu.system) / calls) | 0} µs CPU per call (${(cpu.system / calls) | 0} system), ${((1000 * (performance.now() - t0)) / calls) | 0} µs wall, ${(frames / calls).toFixed(1)} data chunks per call`,
  );
}
client.close();
await server.stop(100);
raw?.close();
