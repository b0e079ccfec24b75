// A minimal gRPC client for unary calls whose request is already encoded, on `node:http2`: one
// HTTP/2 stream per call (headers with `content-type: application/grpc` and `te: trailers`, one
// length-prefixed message, the status in the `grpc-status` trailer). Forwarding is the router's
// hot path, and grpc-js's per-call channel, filter and interceptor machinery cost more CPU than
// building and parsing the message (bench/README.md, "receive ring").
import * as http2 from 'node:http2';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { encodeSnappyStream } from '@thanos-ts/storepb';

const {
  HTTP2_HEADER_AUTHORITY,
  HTTP2_HEADER_CONTENT_TYPE,
  HTTP2_HEADER_METHOD,
  HTTP2_HEADER_PATH,
  HTTP2_HEADER_SCHEME,
  HTTP2_HEADER_STATUS,
  HTTP2_HEADER_TE,
  HTTP2_HEADER_USER_AGENT,
  NGHTTP2_CANCEL,
  NGHTTP2_REFUSED_STREAM,
} = http2.constants;

/** `--receive.grpc-compression`: how forwarded requests are compressed (Thanos's `snappy` is the stream format). */
export const GRPC_COMPRESSIONS = ['snappy', 'none'] as const;
export type GrpcCompression = (typeof GRPC_COMPRESSIONS)[number];

/** How a call ended: gRPC status code and message. */
export interface UnaryStatus {
  code: GrpcStatus;
  details: string;
}

const USER_AGENT = 'thanos-ts-receive grpc-unary/1';

/** The gRPC status of an HTTP status that came without one (gRPC's HTTP-to-gRPC status mapping). */
function statusOfHttp(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** `grpc-message` is percent-encoded. */
function decodeGrpcMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function statusFrom(headers: http2.IncomingHttpHeaders): UnaryStatus | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  const code = Number(Array.isArray(raw) ? raw[0] : raw);
  return {
    code: Number.isInteger(code) && code >= 0 && code <= 16 ? code : GrpcStatus.UNKNOWN,
    details: decodeGrpcMessage(headers['grpc-message']),
  };
}

/** One peer's connection; calls share it (one stream each) and a broken one is replaced on the next call. */
export class UnaryClient {
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;

  constructor(
    /** `host:port` of the gRPC server. */
    readonly address: string,
    private readonly compression: GrpcCompression = 'none',
  ) {}

  /**
   * Sends `message` to `path` and resolves with the call's status (OK included); the response
   * message is not needed by any caller, so it is read and dropped. Never rejects.
   * `released` is called once HTTP/2 reads `message` no more: when the stream has closed,
   * which can be after the call resolved (a deadline resolves it at once), or never.
   */
  call(path: string, message: Buffer, timeoutMs: number, released?: () => void): Promise<UnaryStatus> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ code: GrpcStatus.UNAVAILABLE, details: 'client closed' });
        released?.();
        return;
      }
      const headers: http2.OutgoingHttpHeaders = {
        [HTTP2_HEADER_METHOD]: 'POST',
        [HTTP2_HEADER_SCHEME]: 'http',
        [HTTP2_HEADER_AUTHORITY]: this.address,
        [HTTP2_HEADER_PATH]: path,
        [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
        [HTTP2_HEADER_TE]: 'trailers',
        [HTTP2_HEADER_USER_AGENT]: USER_AGENT,
        'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m`,
        'grpc-accept-encoding': 'identity',
      };
      const compressed = this.compression === 'snappy';
      if (compressed) headers['grpc-encoding'] = 'snappy';

      let settled = false;
      let stream: http2.ClientHttp2Stream | undefined;
      const finish = (status: UnaryStatus) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(status);
      };
      const timer = setTimeout(() => {
        finish({ code: GrpcStatus.DEADLINE_EXCEEDED, details: `deadline of ${timeoutMs} ms exceeded` });
        stream?.close(NGHTTP2_CANCEL);
      }, timeoutMs);

      let session: http2.ClientHttp2Session;
      try {
        session = this.connection();
        stream = session.request(headers, { endStream: false });
      } catch (err) {
        // e.g. the session ran out of stream ids: the next call opens a new connection
        this.session?.destroy();
        this.session = undefined;
        finish(this.transportStatus(err));
        released?.();
        return;
      }
      let responseHeaders: http2.IncomingHttpHeaders | undefined;
      let trailers: http2.IncomingHttpHeaders | undefined;
      stream.on('response', (h) => (responseHeaders = h));
      stream.on('trailers', (t) => (trailers = t));
      // the response message is read and dropped; reading keeps HTTP/2 flow control moving
      stream.on('data', () => {});
      stream.on('error', (err) => finish(this.transportStatus(err)));
      stream.on('close', () => {
        released?.();
        const s = stream!;
        const status = (trailers && statusFrom(trailers)) ?? (responseHeaders && statusFrom(responseHeaders));
        if (status) return finish(status);
        if (responseHeaders) {
          const http = Number(responseHeaders[HTTP2_HEADER_STATUS]);
          if (http !== 200)
            return finish({ code: statusOfHttp(http), details: `HTTP status ${http} without a gRPC status` });
        }
        if (s.rstCode === NGHTTP2_REFUSED_STREAM) {
          return finish({ code: GrpcStatus.UNAVAILABLE, details: 'stream refused by the server' });
        }
        if (s.rstCode === NGHTTP2_CANCEL) return finish({ code: GrpcStatus.CANCELLED, details: 'call cancelled' });
        finish({
          code: s.rstCode ? GrpcStatus.INTERNAL : GrpcStatus.UNAVAILABLE,
          details: s.rstCode ? `stream reset with HTTP/2 code ${s.rstCode}` : 'connection closed before the call ended',
        });
      });
      const body = compressed ? encodeSnappyStream(message) : message;
      // the length prefix: whether the message is compressed, its length
      const prefix = Buffer.allocUnsafe(5);
      prefix[0] = compressed ? 1 : 0;
      prefix.writeUInt32BE(body.length, 1);
      // one write of both (writev): each write of an HTTP/2 stream is a request to the session
      stream.cork();
      stream.write(prefix);
      stream.end(body);
    });
  }

  /** Closes the connection; calls still running end with an error status. */
  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  private connection(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect(`http://${this.address}`, {
      // forwarded writes are large: do not make them wait for window updates
      settings: { initialWindowSize: 4 * 1024 * 1024 },
    });
    // the process may exit while an idle connection is open
    session.unref();
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // errors reach the streams of the session too; the session itself is just dropped
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    this.session = session;
    return session;
  }

  /**
   * A connection or stream error: unavailable, as grpc-js reports them (a stream pending on a
   * connection that failed errors with ERR_HTTP2_STREAM_CANCEL, the cause in its message).
   */
  private transportStatus(err: unknown): UnaryStatus {
    return { code: GrpcStatus.UNAVAILABLE, details: err instanceof Error ? err.message : String(err) };
  }
}
