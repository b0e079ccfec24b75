// StoreAPI gRPC server: thanos.Store, thanos.info.Info and (optionally)
// thanos.WriteableStore on one port, as Thanos receive/store/sidecar serve them.
import * as grpc from '@grpc/grpc-js';
import { setMaxListeners } from 'node:events';
import type {
  InfoResponse,
  LabelNamesRequest,
  LabelNamesResponse,
  LabelValuesRequest,
  LabelValuesResponse,
  MetricMetadataMap,
  MetricMetadataRequest,
  MetricMetadataResponse,
  Series,
  SeriesRequest,
  SeriesResponse,
  WriteRequest,
} from '../types';
import type { LegacyInfoResponse } from '../wire/messages';
import { acceptSnappyRequests } from './compression';
import { StoreApiError, toStatus } from './errors';
import { infoService, metadataService, storeService, writeableStoreService } from './services';

/** Per-call context handed to implementations. */
export interface CallContext {
  /** Aborted when the client cancels, its deadline passes, or the server stops. */
  readonly signal: AbortSignal;
  /** The client's address, for logs. */
  readonly peer: string;
}

/** Where a Series implementation streams its responses. */
export interface SeriesSink {
  /**
   * Queues one frame. Returns a promise when the transport is saturated; awaiting it
   * is how an implementation honours backpressure. Throws (or rejects) once the call
   * is cancelled, which ends the implementation's iteration.
   */
  send(resp: SeriesResponse): void | Promise<void>;
}

export interface StoreServerImpl {
  series(req: SeriesRequest, sink: SeriesSink, ctx: CallContext): Promise<void>;
  labelNames(req: LabelNamesRequest, ctx: CallContext): Promise<LabelNamesResponse>;
  labelValues(req: LabelValuesRequest, ctx: CallContext): Promise<LabelValuesResponse>;
}

export interface InfoServerImpl {
  info(ctx: CallContext): Promise<InfoResponse> | InfoResponse;
}

export interface WriteableStoreImpl {
  remoteWrite(req: WriteRequest, ctx: CallContext): Promise<void>;
}

/** `thanos.Metadata`: metric family metadata, answered as one frame. */
export interface MetadataServerImpl {
  metricMetadata(req: MetricMetadataRequest, ctx: CallContext): Promise<MetricMetadataMap> | MetricMetadataMap;
}

export interface StoreServerOptions {
  store?: StoreServerImpl;
  info: InfoServerImpl;
  writeable?: WriteableStoreImpl;
  metadata?: MetadataServerImpl;
  /** Extra grpc-js server options (merged over ours). */
  serverOptions?: grpc.ServerOptions;
  credentials?: grpc.ServerCredentials;
}

const DEFAULT_SERVER_OPTIONS: grpc.ServerOptions = {
  // Thanos frames and forwarded write requests can be large; Go Thanos sets no limit either.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // Accept the keep-alive pings our own (and Go) clients send while a stream is idle.
  'grpc.keepalive_permit_without_calls': 1,
  // Thanos receivers forward with snappy compression by default.
  interceptors: [acceptSnappyRequests],
};

/** Old Thanos `StoreType` numbers by component name. */
const LEGACY_STORE_TYPES: Record<string, number> = { query: 1, rule: 2, sidecar: 3, store: 4, receive: 5, debug: 6 };

export function legacyInfoFrom(info: InfoResponse): LegacyInfoResponse {
  return {
    labels: info.labelSets[0]?.labels ?? [],
    minTime: info.store?.minTime ?? Number.MIN_SAFE_INTEGER,
    maxTime: info.store?.maxTime ?? Number.MAX_SAFE_INTEGER,
    storeType: LEGACY_STORE_TYPES[info.componentType] ?? 0,
    labelSets: info.labelSets,
  };
}

function callContext(
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  stopping: AbortSignal,
): { ctx: CallContext; done: () => void } {
  const ac = new AbortController();
  const onCancel = () => ac.abort(StoreApiError.cancelled('call cancelled by the client or its deadline'));
  const onStop = () => ac.abort(StoreApiError.unavailable('server is shutting down'));
  call.once('cancelled', onCancel);
  stopping.addEventListener('abort', onStop, { once: true });
  return {
    ctx: { signal: ac.signal, peer: call.getPeer() },
    done: () => {
      call.removeListener('cancelled', onCancel);
      stopping.removeEventListener('abort', onStop);
    },
  };
}

function unary<Req, Res>(
  stopping: AbortSignal,
  handle: (req: Req, ctx: CallContext) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const { ctx, done } = callContext(call, stopping);
    Promise.resolve()
      .then(() => handle(call.request, ctx))
      .then(
        (res) => callback(null, res),
        (err) => callback(toStatus(err)),
      )
      .finally(done);
  };
}

/**
 * Writes Series frames to the call, honouring the stream's backpressure and, when the
 * client asked for `response_batch_size` > 1, packing series into `batch` frames.
 */
class SeriesStreamSink implements SeriesSink {
  private drained?: Promise<void>;
  private batch: Series[] = [];

  constructor(
    private readonly call: grpc.ServerWritableStream<SeriesRequest, SeriesResponse>,
    private readonly signal: AbortSignal,
    private readonly batchSize: number,
  ) {}

  send(resp: SeriesResponse): void | Promise<void> {
    if (this.signal.aborted) throw this.signal.reason;
    if (this.batchSize <= 1) return this.write(resp);
    if (resp.type === 'series') {
      this.batch.push(resp.series);
      if (this.batch.length < this.batchSize) return;
      return this.flush();
    }
    const pending = this.flush();
    return pending ? pending.then(() => this.write(resp)) : this.write(resp);
  }

  /** Writes what is still batched (the end of the stream). */
  flush(): void | Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    return this.write({ type: 'batch', batch });
  }

  private write(resp: SeriesResponse): void | Promise<void> {
    if (this.call.write(resp)) return;
    this.drained ??= new Promise<void>((resolve, reject) => {
      const settle = () => {
        this.call.removeListener('drain', onDrain);
        this.signal.removeEventListener('abort', onAbort);
        this.drained = undefined;
      };
      const onDrain = () => {
        settle();
        resolve();
      };
      const onAbort = () => {
        settle();
        reject(this.signal.reason);
      };
      this.call.once('drain', onDrain);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    return this.drained;
  }
}

function seriesHandler(
  stopping: AbortSignal,
  impl: StoreServerImpl,
): grpc.handleServerStreamingCall<SeriesRequest, SeriesResponse> {
  return (call) => {
    const { ctx, done } = callContext(call, stopping);
    const sink = new SeriesStreamSink(call, ctx.signal, call.request.responseBatchSize);
    Promise.resolve()
      .then(() => impl.series(call.request, sink, ctx))
      .then(() => sink.flush())
      .then(
        () => {
          if (!ctx.signal.aborted) call.end();
        },
        (err) => {
          if (!ctx.signal.aborted) call.emit('error', toStatus(err));
        },
      )
      .finally(done);
  };
}

function metadataHandler(
  stopping: AbortSignal,
  impl: MetadataServerImpl,
): grpc.handleServerStreamingCall<MetricMetadataRequest, MetricMetadataResponse> {
  return (call) => {
    const { ctx, done } = callContext(call, stopping);
    Promise.resolve()
      .then(() => impl.metricMetadata(call.request, ctx))
      .then(
        (metadata) => {
          if (ctx.signal.aborted) return;
          call.write({ type: 'metadata', metadata });
          call.end();
        },
        (err) => {
          if (!ctx.signal.aborted) call.emit('error', toStatus(err));
        },
      )
      .finally(done);
  };
}

/** A gRPC server exposing the StoreAPI. */
export class StoreServer {
  private readonly server: grpc.Server;
  private readonly stopping = new AbortController();
  private boundPort = 0;
  private host = '';

  constructor(private readonly opts: StoreServerOptions) {
    this.server = new grpc.Server({ ...DEFAULT_SERVER_OPTIONS, ...opts.serverOptions });
    const stopping = this.stopping.signal;
    // Every running call listens for shutdown; many concurrent calls are normal.
    setMaxListeners(0, stopping);
    const { info, store, writeable, metadata } = opts;
    // A server with the Metadata service says so in Info, as queriers pick metadata sources by it.
    const describe = metadata
      ? async (ctx: CallContext) => ({ ...(await info.info(ctx)), metricMetadata: {} })
      : (ctx: CallContext) => info.info(ctx);
    this.server.addService(infoService, { Info: unary(stopping, (_req: unknown, ctx) => describe(ctx)) });
    if (store) {
      this.server.addService(storeService, {
        Info: unary(stopping, async (_req: unknown, ctx) => legacyInfoFrom(await info.info(ctx))),
        Series: seriesHandler(stopping, store),
        LabelNames: unary(stopping, (req: LabelNamesRequest, ctx) => store.labelNames(req, ctx)),
        LabelValues: unary(stopping, (req: LabelValuesRequest, ctx) => store.labelValues(req, ctx)),
      });
    }
    if (writeable) {
      this.server.addService(writeableStoreService, {
        RemoteWrite: unary(stopping, async (req: WriteRequest, ctx) => {
          await writeable.remoteWrite(req, ctx);
          return {};
        }),
      });
    }
    if (metadata) {
      this.server.addService(metadataService, { MetricMetadata: metadataHandler(stopping, metadata) });
    }
  }

  /**
   * Serves another gRPC service on the same port (e.g. a component's own codec for one of the
   * Thanos services, when it was not passed as `writeable`); call before `listen`.
   */
  addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void {
    this.server.addService(service, implementation);
  }

  /** Listens on `host:port` (port 0 picks a free one); resolves to the bound `host:port`. */
  async listen(address: string): Promise<string> {
    const creds = this.opts.credentials ?? grpc.ServerCredentials.createInsecure();
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.host = address.slice(0, address.lastIndexOf(':'));
    return this.address;
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return `${this.host}:${this.boundPort}`;
  }

  /**
   * Stops accepting calls, lets running ones finish for up to `graceMs`, then cancels
   * the rest (their implementations see their signal abort).
   */
  async stop(graceMs = 5000): Promise<void> {
    const graceful = new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.stopping.abort();
      this.server.forceShutdown();
    }
  }
}

export function createStoreServer(opts: StoreServerOptions): StoreServer {
  return new StoreServer(opts);
}
