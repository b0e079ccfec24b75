import { request } from 'node:http';
import { KillableHttpServer } from './killable-server';

/**
 * An HTTP proxy for fault injection in tests: it can answer the next requests with an error
 * status, stop answering (hang), or vanish with all its connections.
 */
export class FlakyProxy {
  private server?: KillableHttpServer;
  private failures: { count: number; status: number } = { count: 0, status: 500 };
  private hanging = false;
  /** Every request the proxy received (method and path), including failed ones. */
  readonly requests: string[] = [];
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<this> {
    this.server = await KillableHttpServer.start((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      if (this.hanging) return;
      if (this.failures.count > 0) {
        this.failures.count--;
        req.resume();
        req.on('end', () => {
          res.writeHead(this.failures.status, { 'content-type': 'application/xml' });
          res.end(`<?xml version="1.0"?><Error><Code>Injected</Code><Message>injected failure</Message></Error>`);
        });
        return;
      }
      const upstream = request(
        { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.port = this.server.port;
    return this;
  }

  failNext(count: number, status = 500): void {
    this.failures = { count, status };
  }

  /** Accept requests but never answer them. */
  hang(on = true): void {
    this.hanging = on;
  }

  /** Stops listening and cuts every open connection, like a server that died. */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}
