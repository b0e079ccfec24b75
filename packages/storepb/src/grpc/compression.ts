// Lets our grpc-js server take requests compressed with `snappy`, the default of Thanos's
// `--receive.grpc-compression` (and `--grpc-compression` elsewhere), so a Thanos receiver can
// forward to ours. grpc-js decompresses only gzip and deflate and has no hook for other
// encodings: for a call that declares `grpc-encoding: snappy`, this interceptor replaces the
// call's own message decompression. It relies on two private members of grpc-js's
// `BaseServerInterceptingCall` (checked by the tests against the installed version).
import type { ServerInterceptingCall, ServerInterceptor } from '@grpc/grpc-js';
import { decodeSnappyStream } from './snappy-stream';
import { GrpcStatus } from './errors';

/** Ceiling of a decompressed request: far above any forwarded write, far below what would exhaust memory. */
export const MAX_DECOMPRESSED_REQUEST_BYTES = 256 * 1024 * 1024;

/** What the interceptor needs of grpc-js's base server call (private members). */
interface BaseCallInternals {
  incomingEncoding?: string;
  decompressMessage(message: Buffer, encoding: string): Buffer | Promise<Buffer>;
}

export const acceptSnappyRequests: ServerInterceptor = (_method, call) => {
  const base = call as unknown as BaseCallInternals;
  if (base.incomingEncoding === 'snappy' && typeof base.decompressMessage === 'function') {
    const decompress = base.decompressMessage.bind(base);
    base.decompressMessage = (message, encoding) => {
      if (encoding !== 'snappy') return decompress(message, encoding);
      try {
        const data = decodeSnappyStream(message.subarray(5), MAX_DECOMPRESSED_REQUEST_BYTES);
        return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      } catch (err) {
        // grpc-js sends a rejected decompression's {code, details} as the call's status.
        return Promise.reject({ code: GrpcStatus.INTERNAL, details: `snappy request: ${(err as Error).message}` });
      }
    };
  }
  // The base call was adjusted in place: handing it on as it is saves a pass-through layer per
  // call (grpc-js only uses the call through the interface both share).
  return call as ServerInterceptingCall;
};
