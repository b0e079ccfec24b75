// gRPC client of a peer receiver's `thanos.WriteableStore/RemoteWrite` that sends an already
// encoded WriteRequest (the router builds it from the received bytes; the spill stores it).
import * as grpc from '@grpc/grpc-js';
import type { ReplicaFailure } from './quorum';

const REMOTE_WRITE_PATH = '/thanos.WriteableStore/RemoteWrite';
const INFO_PATH = '/thanos.info.Info/Info';
const EMPTY = Buffer.alloc(0);

const passThrough = (b: Buffer): Buffer => b;

/** A failed call to a peer, with its gRPC status. */
export class PeerCallError extends Error {
  override readonly name = 'PeerCallError';
  constructor(
    readonly peer: string,
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`forwarding to ${peer}: ${grpc.status[code] ?? code}: ${details}`);
  }

  /** The peer is down, unreachable, not ready or too slow: its writes go to the spill. */
  get retryable(): boolean {
    return (
      this.code === grpc.status.UNAVAILABLE ||
      this.code === grpc.status.DEADLINE_EXCEEDED ||
      this.code === grpc.status.CANCELLED
    );
  }

  /** How this failure counts in the quorum (spec 1.3: AlreadyExists is a conflict). */
  toFailure(): ReplicaFailure {
    if (this.code === grpc.status.ALREADY_EXISTS) return { kind: 'conflict', message: this.message };
    if (this.code === grpc.status.UNAVAILABLE) {
      return { kind: /not ready/i.test(this.details) ? 'notReady' : 'unavailable', message: this.message };
    }
    if (this.code === grpc.status.INVALID_ARGUMENT) return { kind: 'other', status: 400, message: this.message };
    return { kind: 'other', status: 500, message: this.message };
  }
}

export interface PeerClientOptions {
  /** Longest pause of the channel's own reconnect attempts (kept near the router's backoff). */
  maxReconnectBackoffMs: number;
}

export class PeerClient {
  private readonly client: grpc.Client;

  constructor(
    readonly address: string,
    options: PeerClientOptions,
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': Math.max(100, options.maxReconnectBackoffMs),
    });
  }

  /** Sends one encoded `thanos.WriteRequest`; rejects with `PeerCallError`. */
  remoteWrite(request: Buffer, timeoutMs: number): Promise<void> {
    return this.call(REMOTE_WRITE_PATH, request, timeoutMs);
  }

  /** `thanos.info.Info/Info`: whether the peer answers at all. */
  info(timeoutMs: number): Promise<void> {
    return this.call(INFO_PATH, EMPTY, timeoutMs);
  }

  close(): void {
    this.client.close();
  }

  private call(path: string, request: Buffer, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        path,
        passThrough,
        passThrough,
        request,
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null) => {
          if (!err) resolve();
          else reject(new PeerCallError(this.address, err.code, err.details || err.message));
        },
      );
    });
  }
}
