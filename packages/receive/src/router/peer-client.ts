// gRPC client of a peer receiver's `thanos.WriteableStore/RemoteWrite` that sends an already
// encoded WriteRequest (the router builds it from the received bytes; the spill stores it).
import * as grpc from '@grpc/grpc-js';
import { UnaryClient, type GrpcCompression } from './grpc-unary';
import type { ReplicaFailure } from './quorum';

const REMOTE_WRITE_PATH = '/thanos.WriteableStore/RemoteWrite';
const INFO_PATH = '/thanos.info.Info/Info';
const EMPTY = Buffer.alloc(0);

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

export class PeerClient {
  private readonly client: UnaryClient;

  constructor(
    readonly address: string,
    compression: GrpcCompression = 'none',
  ) {
    this.client = new UnaryClient(address, compression);
  }

  /**
   * Sends one encoded `thanos.WriteRequest`; rejects with `PeerCallError`. `released`: see
   * `UnaryClient.call`.
   */
  remoteWrite(request: Buffer, timeoutMs: number, released?: () => void): Promise<void> {
    return this.call(REMOTE_WRITE_PATH, request, timeoutMs, released);
  }

  /** `thanos.info.Info/Info`: whether the peer answers at all. */
  info(timeoutMs: number): Promise<void> {
    return this.call(INFO_PATH, EMPTY, timeoutMs);
  }

  close(): void {
    this.client.close();
  }

  private async call(path: string, request: Buffer, timeoutMs: number, released?: () => void): Promise<void> {
    const { code, details } = await this.client.call(path, request, timeoutMs, released);
    if (code !== grpc.status.OK) throw new PeerCallError(this.address, code, details);
  }
}
