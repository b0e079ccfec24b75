// Errors crossing the StoreAPI boundary. Server implementations throw StoreApiError
// (or anything else, which becomes UNKNOWN like a plain Go error); clients get
// StoreClientError, which names the store address, the RPC and the gRPC status.
import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';

export { GrpcStatus };

/** An error a StoreAPI server implementation throws to choose the gRPC status. */
export class StoreApiError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
    this.name = 'StoreApiError';
  }

  static invalidArgument(message: string): StoreApiError {
    return new StoreApiError(GrpcStatus.INVALID_ARGUMENT, message);
  }

  static resourceExhausted(message: string): StoreApiError {
    return new StoreApiError(GrpcStatus.RESOURCE_EXHAUSTED, message);
  }

  static unavailable(message: string): StoreApiError {
    return new StoreApiError(GrpcStatus.UNAVAILABLE, message);
  }

  static notFound(message: string): StoreApiError {
    return new StoreApiError(GrpcStatus.NOT_FOUND, message);
  }

  static unimplemented(message: string): StoreApiError {
    return new StoreApiError(GrpcStatus.UNIMPLEMENTED, message);
  }

  static cancelled(message: string): StoreApiError {
    return new StoreApiError(GrpcStatus.CANCELLED, message);
  }
}

/** Errors that carry their own status code (e.g. an invalid matcher) implement this. */
export interface HasGrpcStatus {
  readonly grpcStatus: GrpcStatus;
}

function hasGrpcStatus(err: unknown): err is Error & HasGrpcStatus {
  return err instanceof Error && typeof (err as Partial<HasGrpcStatus>).grpcStatus === 'number';
}

/** The status a server sends for an error thrown by an implementation. */
export function toStatus(err: unknown): Partial<StatusObject> {
  if (err instanceof StoreApiError) return { code: err.code, details: err.message, metadata: new Metadata() };
  if (hasGrpcStatus(err)) return { code: err.grpcStatus, details: err.message, metadata: new Metadata() };
  const details = err instanceof Error ? err.message : String(err);
  return { code: GrpcStatus.UNKNOWN, details, metadata: new Metadata() };
}

/** A failed StoreAPI call, as a client sees it. */
export class StoreClientError extends Error {
  constructor(
    readonly address: string,
    readonly method: string,
    readonly code: GrpcStatus,
    readonly details: string,
  ) {
    super(`store ${address}: ${method}: ${GrpcStatus[code] ?? code}: ${details}`);
    this.name = 'StoreClientError';
  }

  static from(address: string, method: string, err: unknown): StoreClientError {
    if (err instanceof StoreClientError) return err;
    const se = err as Partial<ServiceError>;
    if (typeof se.code === 'number')
      return new StoreClientError(address, method, se.code, se.details ?? se.message ?? '');
    return new StoreClientError(address, method, GrpcStatus.UNKNOWN, err instanceof Error ? err.message : String(err));
  }
}
