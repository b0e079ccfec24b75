import { GrpcStatus, type HasGrpcStatus } from '@thanos-ts/storepb';

/** The object store could not be read; requests answer UNAVAILABLE naming the bucket. */
export class BucketUnavailableError extends Error implements HasGrpcStatus {
  override readonly name = 'BucketUnavailableError';
  readonly grpcStatus = GrpcStatus.UNAVAILABLE;

  constructor(
    readonly bucket: string,
    readonly object: string,
    cause: unknown,
  ) {
    super(
      `bucket "${bucket}" unavailable reading ${object}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** A request passed one of the store's limits; answers RESOURCE_EXHAUSTED naming the limit. */
export class LimitExceededError extends Error implements HasGrpcStatus {
  override readonly name = 'LimitExceededError';
  readonly grpcStatus = GrpcStatus.RESOURCE_EXHAUSTED;

  constructor(
    readonly limit: 'series' | 'samples',
    message: string,
  ) {
    super(message);
  }
}

/** A block that cannot be served (corrupt index or chunks, bad header); it is dropped. */
export class BlockLoadError extends Error {
  override readonly name = 'BlockLoadError';
  constructor(
    readonly blockId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`block ${blockId}: ${message}`, options);
  }
}
