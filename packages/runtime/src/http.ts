import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { parseListenAddress } from './address';
import type { Logger } from './logger';

export interface ProbeState {
  /** `/-/ready` answers 200 only while this is true (e.g. after WAL replay). */
  ready: () => boolean;
}

export interface HttpServerOptions {
  logger: Logger;
  registry: Registry;
  probes: ProbeState;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
}

/**
 * The HTTP server every component has on --http-address: `/-/healthy`, `/-/ready` and
 * `/metrics`. Components register their own routes on the returned instance.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 32 << 20, forceCloseConnections: 'idle' });
  app.get('/-/healthy', async (_req, reply) => reply.type('text/plain').send('OK'));
  app.get('/-/ready', async (_req, reply) =>
    options.probes.ready() ? reply.type('text/plain').send('OK') : reply.code(503).type('text/plain').send('NOT READY'),
  );
  app.get('/metrics', async (_req, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
  return app;
}

/** Starts listening on a Thanos-style address and returns the bound port. */
export async function listen(app: FastifyInstance, address: string): Promise<number> {
  const { host, port } = parseListenAddress(address);
  await app.listen({ host, port });
  const bound = app.server.address();
  return typeof bound === 'object' && bound ? bound.port : port;
}
