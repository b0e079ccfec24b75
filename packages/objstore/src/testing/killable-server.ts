import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A test HTTP server on a free loopback port whose `stop()` cuts every open connection, like a
 * server that died (a plain `close()` would wait for keep-alive connections to end).
 */
export class KillableHttpServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<KillableHttpServer> {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    return new KillableHttpServer(server, typeof addr === 'object' && addr ? addr.port : 0);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
