/** The object does not exist (Thanos `IsObjNotFoundErr`). */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly bucket: string,
    readonly objectName: string,
    options?: { cause?: unknown },
  ) {
    super(`object "${objectName}" not found in bucket "${bucket}"`, options);
  }
}

/** The object store config is unusable; the message names the offending field but never a secret value. */
export class ObjstoreConfigError extends Error {
  override readonly name = 'ObjstoreConfigError';
  constructor(message: string) {
    super(`invalid object storage config: ${message}`);
  }
}

/**
 * A provider operation failed for good (after retries, or on a non-retryable status).
 * `status` is the HTTP status when the server answered at all.
 */
export class ObjstoreOperationError extends Error {
  override readonly name = 'ObjstoreOperationError';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isObjNotFoundErr(err: unknown): err is ObjectNotFoundError {
  return err instanceof ObjectNotFoundError;
}
