/** Base class of every error this package throws for a bad remote_write body. */
export class RemoteWriteError extends Error {
  override name = 'RemoteWriteError';
}

/**
 * The body is not a valid snappy block. The message is exactly what Prometheus' receiver answers
 * (`snappy: corrupt input`), so an HTTP handler can send it unchanged with status 400.
 */
export class SnappyDecodeError extends RemoteWriteError {
  override name = 'SnappyDecodeError';
  constructor(readonly detail: string) {
    super('snappy: corrupt input');
  }
}

/** The snappy header declares a decoded size above the configured limit; nothing was allocated. */
export class WriteRequestTooLargeError extends RemoteWriteError {
  override name = 'WriteRequestTooLargeError';
  constructor(
    readonly declaredBytes: number,
    readonly limitBytes: number,
  ) {
    super(`write request too large: decoded size ${declaredBytes} bytes exceeds the limit of ${limitBytes} bytes`);
  }
}

export type WriteRequestDecodeErrorCode =
  | 'unexpected-eof'
  | 'integer-overflow'
  | 'negative-length'
  | 'wrong-wire-type'
  | 'illegal-tag'
  | 'illegal-wire-type'
  | 'end-group'
  | 'invalid-utf8'
  | 'timestamp-out-of-range';

/**
 * The decompressed body is not a valid `prometheus.WriteRequest`. `message` follows the wording of the
 * gogo-protobuf unmarshaller Prometheus uses (`unexpected EOF`, `proto: integer overflow`, ...) so that a
 * receiver answers like Prometheus; `offset` is the byte offset in the decompressed protobuf where decoding
 * failed.
 */
export class WriteRequestDecodeError extends RemoteWriteError {
  override name = 'WriteRequestDecodeError';
  constructor(
    message: string,
    readonly code: WriteRequestDecodeErrorCode,
    readonly offset: number,
  ) {
    super(message);
  }
}
