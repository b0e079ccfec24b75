import http from 'node:http';
import https from 'node:https';
import { compressSnappyBlock } from './snappy';
import { encodeWriteRequest, type WriteRequestInput } from './write-request-encoder';

export interface RemoteWriteClientOptions {
  /** Full endpoint URL, e.g. `http://127.0.0.1:19291/api/v1/receive`. */
  url: string;
  /** Tenant sent in `tenantHeader` on every request unless a call overrides it. */
  tenant?: string;
  /** Header carrying the tenant (Thanos' default is `THANOS-TENANT`). */
  tenantHeader?: string;
  userAgent?: string;
  /** Extra headers added to every request. */
  headers?: Record<string, string>;
  /** Keep-alive connections kept open to the server. */
  maxSockets?: number;
  /** Per-request timeout; Prometheus' `remote_timeout` defaults to 30 s. */
  timeoutMs?: number;
}

export interface RemoteWriteSendOptions {
  tenant?: string;
  headers?: Record<string, string>;
}

export interface RemoteWriteResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class RemoteWriteTimeoutError extends Error {
  override name = 'RemoteWriteTimeoutError';
}

/**
 * Minimal remote_write 1.0 sender: POSTs snappy-compressed WriteRequests with the headers Prometheus
 * sends, over a keep-alive connection pool. It reports the status and body; retrying is up to the caller.
 */
export class RemoteWriteClient {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly baseHeaders: Record<string, string>;
  private readonly tenantHeader: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: RemoteWriteClientOptions) {
    this.url = new URL(options.url);
    const AgentClass = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxSockets ?? 8 });
    this.tenantHeader = options.tenantHeader ?? 'THANOS-TENANT';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.baseHeaders = {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'User-Agent': options.userAgent ?? 'thanos-ts-remote-write/0.1.0',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      ...options.headers,
    };
  }

  /** Encodes, compresses and sends a WriteRequest. */
  write(request: WriteRequestInput, send?: RemoteWriteSendOptions): Promise<RemoteWriteResponse> {
    return this.send(compressSnappyBlock(encodeWriteRequest(request)), send);
  }

  /** Sends an already snappy-compressed WriteRequest body. */
  send(body: Uint8Array, send: RemoteWriteSendOptions = {}): Promise<RemoteWriteResponse> {
    const headers: Record<string, string | number> = { ...this.baseHeaders, ...send.headers };
    headers['Content-Length'] = body.length;
    const tenant = send.tenant ?? this.options.tenant;
    if (tenant !== undefined) headers[this.tenantHeader] = tenant;
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        this.url,
        { method: 'POST', agent: this.agent, headers, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new RemoteWriteTimeoutError(`no response within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
