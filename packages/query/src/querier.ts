// The querier service: endpoint discovery and health, the PromQL engine, the HTTP API
// and the web UI on one HTTP server.
import { Engine } from '@thanos-ts/promql';
import { createHttpServer, listen, type Logger } from '@thanos-ts/runtime';
import { createStoreServer, type StoreServer } from '@thanos-ts/storepb';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { registerQueryApi, type QueryApiOptions } from './api';
import { EndpointSet } from './endpoints';
import { QueryMetrics } from './metrics';
import type { DedupFunc } from './replica-merge';
import { SdFileDiscovery } from './sd-files';
import { createStoreProxy } from './store-proxy';
import { WEB_UI_HTML } from './web-ui';

export interface QuerierConfig {
  httpAddress: string;
  /** Serve the fanned-out StoreAPI here too (a querier as a store of another querier). */
  grpcAddress?: string;
  /** Static StoreAPI addresses (--endpoint). */
  endpoints: string[];
  /** file_sd files listing more addresses (--endpoint.sd-files), re-read when they change. */
  sdFiles?: string[];
  replicaLabels: string[];
  dedupFunc?: DedupFunc;
  partialResponse?: boolean;
  queryTimeoutMs?: number;
  maxSamples?: number;
  lookbackDeltaMs?: number;
  /** Step of subqueries written without one. */
  defaultEvaluationIntervalMs?: number;
  /** Step of range queries sent without one. */
  defaultStepMs?: number;
  /** --query.auto-downsampling: range queries without max_source_resolution read data downsampled to step/5. */
  autoDownsampling?: boolean;
  storeTimeoutMs?: number;
  /** How often store Info is refreshed. */
  endpointRefreshMs?: number;
  logger: Logger;
  registry?: Registry;
  /** Shown by /api/v1/status/flags. */
  flags?: Record<string, string>;
  onQueryTiming?: QueryApiOptions['onQueryTiming'];
}

export class Querier {
  readonly endpointSet: EndpointSet;
  readonly engine: Engine;
  readonly registry: Registry;
  readonly http: FastifyInstance;
  httpPort = 0;
  grpcPort = 0;
  private grpcServer: StoreServer | undefined;

  constructor(readonly config: QuerierConfig) {
    const log = config.logger;
    const discovery = config.sdFiles?.length ? new SdFileDiscovery(config.sdFiles) : undefined;
    const onError = (err: unknown) => log.warn('endpoint discovery failed', { err });
    this.endpointSet = new EndpointSet({
      static: config.endpoints,
      discover: discovery ? () => discovery.targets(onError) : undefined,
      refreshIntervalMs: config.endpointRefreshMs,
      onError,
    });
    const evalInterval = config.defaultEvaluationIntervalMs ?? 60_000;
    this.engine = new Engine({
      lookbackDelta: config.lookbackDeltaMs,
      maxSamples: config.maxSamples,
      timeout: config.queryTimeoutMs,
      noStepSubqueryInterval: () => evalInterval,
    });
    this.registry = config.registry ?? new Registry();
    this.http = createHttpServer({ logger: log, registry: this.registry, probes: { ready: () => true } });
    registerQueryApi(this.http, {
      engine: this.engine,
      endpoints: () => this.endpointSet.list(),
      replicaLabels: config.replicaLabels,
      dedupFunc: config.dedupFunc ?? 'penalty',
      partialResponse: config.partialResponse ?? true,
      queryTimeoutMs: config.queryTimeoutMs ?? 120_000,
      storeTimeoutMs: config.storeTimeoutMs ?? 0,
      defaultStepMs: config.defaultStepMs ?? 1000,
      autoDownsampling: config.autoDownsampling ?? false,
      metrics: new QueryMetrics(this.registry),
      flags: config.flags ?? {},
      onQueryTiming: config.onQueryTiming,
    });
    for (const path of ['/', '/graph', '/stores']) {
      this.http.get(path, async (_req, reply) => reply.type('text/html; charset=utf-8').send(WEB_UI_HTML));
    }
  }

  async start(): Promise<void> {
    await this.endpointSet.start();
    if (this.config.grpcAddress) {
      const endpoints = () => this.endpointSet.list();
      this.grpcServer = createStoreServer(createStoreProxy({ endpoints, storeTimeoutMs: this.config.storeTimeoutMs }));
      await this.grpcServer.listen(this.config.grpcAddress);
      this.grpcPort = this.grpcServer.port;
      this.config.logger.info('querier StoreAPI listening', { address: this.config.grpcAddress, port: this.grpcPort });
    }
    this.httpPort = await listen(this.http, this.config.httpAddress);
    this.config.logger.info('querier HTTP API listening', { address: this.config.httpAddress, port: this.httpPort });
  }

  async stop(): Promise<void> {
    await this.http.close();
    await this.grpcServer?.stop();
    this.endpointSet.stop();
  }
}
