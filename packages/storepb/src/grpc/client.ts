// StoreAPI gRPC client (what a querier uses to talk to Thanos stores, sidecars,
// receivers and other queriers).
import * as grpc from '@grpc/grpc-js';
import type {
  InfoResponse,
  LabelNamesRequestInit,
  LabelNamesResponse,
  LabelValuesRequestInit,
  LabelValuesResponse,
  MetricMetadataMap,
  MetricMetadataRequest,
  MetricMetadataResponse,
  SeriesRequestInit,
  SeriesResponse,
  WriteRequest,
} from '../types';
import type { LegacyInfoResponse } from '../wire/messages';
import { GrpcStatus, StoreClientError } from './errors';
import { infoService, metadataService, storeService, writeableStoreService } from './services';

export interface CallOptions {
  /** Cancels the call (a Series stream stops, a pending unary call fails with CANCELLED). */
  signal?: AbortSignal;
  /** Deadline relative to now; the call fails with DEADLINE_EXCEEDED after it. */
  timeoutMs?: number;
}

export interface StoreClientOptions {
  credentials?: grpc.ChannelCredentials;
  /** Extra grpc-js channel options (merged over ours). */
  channelOptions?: grpc.ChannelOptions;
  /** Used when a call gives no `timeoutMs`; none by default. */
  defaultTimeoutMs?: number;
}

const DEFAULT_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Series frames of wide series are large; Thanos's own client lifts the limit too.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // Go gRPC servers (Thanos) answer pings more often than every 5 minutes with a GOAWAY
  // ("too_many_pings"), so keep-alive stays just above that, and only during calls.
  'grpc.keepalive_time_ms': 330_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 0,
  // Let a store stream ahead while the querier decodes: with HTTP/2's default 64 KiB window
  // the store waited for the querier after every few frames.
  'grpc-node.flow_control_window': 8 << 20,
  // A restarted store should be picked up quickly.
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 10_000,
};

const LEGACY_COMPONENT_TYPES = ['', 'query', 'rule', 'sidecar', 'store', 'receive', 'debug'];

/** Converts the pre-Info-service `thanos.Store/Info` answer to the current shape. */
export function infoFromLegacy(legacy: LegacyInfoResponse): InfoResponse {
  const labelSets =
    legacy.labelSets.length > 0 || legacy.labels.length === 0 ? legacy.labelSets : [{ labels: legacy.labels }];
  return {
    labelSets,
    componentType: LEGACY_COMPONENT_TYPES[legacy.storeType] ?? '',
    store: {
      minTime: legacy.minTime,
      maxTime: legacy.maxTime,
      supportsSharding: false,
      supportsWithoutReplicaLabels: false,
      tsdbInfos: [],
      supportsProjections: false,
    },
  };
}

type Method =
  | (typeof storeService)[keyof typeof storeService]
  | (typeof infoService)['Info']
  | (typeof writeableStoreService)['RemoteWrite'];

export class StoreClient {
  private readonly client: grpc.Client;
  private readonly defaultTimeoutMs?: number;

  constructor(
    readonly address: string,
    opts: StoreClientOptions = {},
  ) {
    this.client = new grpc.Client(address, opts.credentials ?? grpc.credentials.createInsecure(), {
      ...DEFAULT_CHANNEL_OPTIONS,
      ...opts.channelOptions,
    });
    this.defaultTimeoutMs = opts.defaultTimeoutMs;
  }

  /**
   * `thanos.info.Info/Info`; falls back to the old `thanos.Store/Info` for stores that
   * predate the Info service.
   */
  async info(opts: CallOptions = {}): Promise<InfoResponse> {
    try {
      return await this.unary<object, InfoResponse>('Info', infoService.Info, {}, opts);
    } catch (err) {
      if (!(err instanceof StoreClientError) || err.code !== GrpcStatus.UNIMPLEMENTED) throw err;
    }
    return infoFromLegacy(await this.unary<object, LegacyInfoResponse>('Info', storeService.Info, {}, opts));
  }

  /**
   * Streams `thanos.Store/Series`; breaking out of the loop cancels the call. Frames of
   * `batch` type (sent when `responseBatchSize` > 1) come out as one `series` each.
   */
  async *series(req: SeriesRequestInit, opts: CallOptions = {}): AsyncGenerator<SeriesResponse> {
    for await (const resp of this.seriesFrames(req, opts)) {
      if (resp.type === 'batch') {
        for (const series of resp.batch) yield { type: 'series', series };
      } else yield resp;
    }
  }

  /**
   * Streams `thanos.Store/Series` frame by frame, `batch` frames as they come (one step
   * per frame instead of per series); breaking out of the loop cancels the call.
   */
  async *seriesFrames(req: SeriesRequestInit, opts: CallOptions = {}): AsyncGenerator<SeriesResponse> {
    const m = storeService.Series;
    const signal = opts.signal;
    if (signal?.aborted) throw StoreClientError.from(this.address, 'Series', cancelledStatus());
    const call = this.client.makeServerStreamRequest<SeriesRequestInit, SeriesResponse>(
      m.path,
      m.requestSerialize as (v: SeriesRequestInit) => Buffer,
      m.responseDeserialize,
      req,
      this.callOptions(opts),
    );
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      yield* call as AsyncIterable<SeriesResponse>;
      finished = true;
    } catch (err) {
      throw StoreClientError.from(this.address, 'Series', err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) {
        // The cancellation status may arrive after the iterator let go of the stream.
        call.on('error', () => {});
        call.cancel();
      }
    }
  }

  labelNames(req: LabelNamesRequestInit, opts: CallOptions = {}): Promise<LabelNamesResponse> {
    return this.unary('LabelNames', storeService.LabelNames, req, opts);
  }

  labelValues(req: LabelValuesRequestInit, opts: CallOptions = {}): Promise<LabelValuesResponse> {
    return this.unary('LabelValues', storeService.LabelValues, req, opts);
  }

  /** `thanos.Metadata/MetricMetadata`: the frames' metadata merged, and their warnings. */
  async metricMetadata(
    req: MetricMetadataRequest,
    opts: CallOptions = {},
  ): Promise<{ metadata: MetricMetadataMap; warnings: string[] }> {
    const m = metadataService.MetricMetadata;
    const call = this.client.makeServerStreamRequest<MetricMetadataRequest, MetricMetadataResponse>(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      req,
      this.callOptions(opts),
    );
    const onAbort = () => call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const metadata: MetricMetadataMap = {};
    const warnings: string[] = [];
    try {
      for await (const frame of call as AsyncIterable<MetricMetadataResponse>) {
        if (frame.type === 'warning') warnings.push(frame.warning);
        else for (const [name, metas] of Object.entries(frame.metadata)) (metadata[name] ??= []).push(...metas);
      }
    } catch (err) {
      throw StoreClientError.from(this.address, 'MetricMetadata', err);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return { metadata, warnings };
  }

  async remoteWrite(req: WriteRequest, opts: CallOptions = {}): Promise<void> {
    await this.unary('RemoteWrite', writeableStoreService.RemoteWrite, req, opts);
  }

  close(): void {
    this.client.close();
  }

  private callOptions(opts: CallOptions): grpc.CallOptions {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
  }

  private unary<Req, Res>(name: string, m: Method, req: Req, opts: CallOptions): Promise<Res> {
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(StoreClientError.from(this.address, name, cancelledStatus()));
    return new Promise<Res>((resolve, reject) => {
      const call = this.client.makeUnaryRequest<Req, Res>(
        m.path,
        m.requestSerialize as (v: Req) => Buffer,
        m.responseDeserialize as (b: Buffer) => Res,
        req,
        this.callOptions(opts),
        (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(StoreClientError.from(this.address, name, err));
          else resolve(res as Res);
        },
      );
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function cancelledStatus(): Partial<grpc.ServiceError> {
  return { code: GrpcStatus.CANCELLED, details: 'cancelled before the call started' };
}
