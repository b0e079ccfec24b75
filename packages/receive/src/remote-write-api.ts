// POST /api/v1/receive: the Prometheus remote_write 1.0 endpoint, with the checks and
// status codes of Thanos receive (spec 1.3) in the same order.
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  decodeWriteRequest,
  decompressSnappyBlock,
  DEFAULT_MAX_DECODED_BYTES,
  RemoteWriteError,
  SnappyDecodeError,
  WriteRequestTooLargeError,
  type WriteRequestView,
} from '@thanos-ts/remote-write';
import type { Logger } from '@thanos-ts/runtime';
import type { Counter, Histogram } from 'prom-client';
import { exceeds, limitsFor, type WriteLimits } from './limits';
import type { ReceiveMetrics } from './metrics';
import { isValidTenant, tenantFromHeaders, type TenancyOptions } from './tenancy';
import type { WriteReport } from './write-errors';

/** What the endpoint needs from the rest of the receiver. */
export interface RemoteWriteBackend {
  ready(): boolean;
  /** Series in the tenant's head now (for the head-series limit). */
  headSeries(tenant: string): number;
  /** Stores (or routes) the request; resolves once it is durable enough to acknowledge. */
  write(tenant: string, view: WriteRequestView, replica: number): Promise<WriteReport>;
  /** Takes the metric metadata of a request that carries some. */
  metadata?(view: WriteRequestView): void;
}

export interface RemoteWriteApiOptions {
  tenancy: TenancyOptions;
  replicaHeader: string;
  limits: WriteLimits;
  backend: RemoteWriteBackend;
  metrics: ReceiveMetrics;
  logger: Logger;
  /** Decompressed bodies above this are refused when no tenant limit is set. */
  maxDecodedBytes?: number;
}

/** An error answered with a status and a plain-text body, like Go's `http.Error`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class WriteGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  async acquire(): Promise<() => void> {
    if (this.max > 0 && this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

export function remoteWriteApi(app: FastifyInstance, options: RemoteWriteApiOptions): void {
  const { backend, metrics, logger } = options;
  const gate = new WriteGate(options.limits.maxConcurrency);
  const maxDecoded = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;

  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxDecoded }, (_req, body, done) => done(null, body));

  // the labelled series of each status code, looked up once: prom-client hashes a label object on every call
  const byStatus = new Map<number, { requests: Counter.Internal; duration: Histogram.Internal<string> }>();
  const statusMetrics = (status: number) => {
    let m = byStatus.get(status);
    if (m === undefined) {
      const code = String(status);
      m = {
        requests: metrics.httpRequests.labels(code, 'receive', 'post'),
        duration: metrics.httpDuration.labels(code, 'receive', 'post'),
      };
      byStatus.set(status, m);
    }
    return m;
  };

  const send = (reply: FastifyReply, status: number, body: string, started: bigint) => {
    const m = statusMetrics(status);
    m.requests.inc();
    m.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    reply.code(status);
    if (status === 200) return reply.send();
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('text/plain; charset=utf-8').send(body.endsWith('\n') ? body : body + '\n');
  };

  app.post('/api/v1/receive', async (req, reply) => {
    const started = process.hrtime.bigint();
    try {
      if (!backend.ready()) throw new HttpError(503, 'Service Unavailable');
      const tenant = tenantFromHeaders(req.headers, options.tenancy);
      if (!isValidTenant(tenant)) throw new HttpError(400, `tenant name not valid: ${JSON.stringify(tenant)}`);
      const release = await gate.acquire();
      try {
        const limits = limitsFor(options.limits, tenant);
        if (limits.headSeriesLimit > 0 && backend.headSeries(tenant) >= limits.headSeriesLimit) {
          throw new HttpError(429, `tenant is above active series limit (${limits.headSeriesLimit})`);
        }
        const length = Number(req.headers['content-length'] ?? -1);
        const sizeLimit = limits.request.sizeBytesLimit;
        if (length >= 0 && exceeds(sizeLimit, length)) throw new HttpError(413, 'write request too large');
        const body = req.body;
        if (!(body instanceof Uint8Array)) throw new HttpError(400, 'snappy decode error: empty body');
        const view = decode(body, sizeLimit > 0 ? Math.min(sizeLimit, maxDecoded) : maxDecoded);
        const replicaText = req.headers[options.replicaHeader.toLowerCase()];
        let replica = 0;
        if (typeof replicaText === 'string' && replicaText !== '') {
          if (!/^\d+$/.test(replicaText)) throw new HttpError(400, 'could not parse replica header');
          replica = Number(replicaText);
        }
        if (view.metadataCount > 0) backend.metadata?.(view);
        if (view.seriesCount === 0) return send(reply, 200, '', started);
        if (exceeds(limits.request.seriesLimit, view.seriesCount)) throw new HttpError(413, 'too many timeseries');
        if (exceeds(limits.request.samplesLimit, view.sampleCount)) throw new HttpError(413, 'too many samples');
        const report = await backend.write(tenant, view, replica);
        if (report.failed) {
          logger.debug('write partially rejected', { tenant, status: report.status, detail: report.message() });
        }
        return send(reply, report.status, report.failed ? report.message() : '', started);
      } finally {
        release();
      }
    } catch (err) {
      if (err instanceof HttpError) return send(reply, err.status, err.message, started);
      logger.error('remote write failed', { err });
      return send(reply, 500, `internal error: ${(err as Error).message}`, started);
    }
  });
}

function decode(body: Uint8Array, maxDecodedBytes: number): WriteRequestView {
  let raw: Uint8Array;
  try {
    raw = decompressSnappyBlock(body, maxDecodedBytes);
  } catch (err) {
    if (err instanceof WriteRequestTooLargeError) throw new HttpError(413, 'write request too large');
    if (err instanceof SnappyDecodeError) throw new HttpError(400, `snappy decode error: ${err.message}`);
    throw err;
  }
  try {
    return decodeWriteRequest(raw);
  } catch (err) {
    if (err instanceof RemoteWriteError) throw new HttpError(400, `invalid WriteRequest: ${err.message}`);
    throw err;
  }
}
