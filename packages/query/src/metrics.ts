// Prometheus metrics of the querier: HTTP requests by handler and code, query duration,
// and the latency and failures of each store call.
import { Counter, Histogram, type Registry } from 'prom-client';

export class QueryMetrics {
  readonly requests: Counter<'handler' | 'code'>;
  readonly requestDuration: Histogram<'handler'>;
  readonly storeDuration: Histogram<'store' | 'method'>;
  readonly storeFailures: Counter<'store' | 'method'>;
  readonly partialResponses: Counter<'handler'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'thanos_query_http_requests_total',
      help: 'HTTP API requests by handler and response code.',
      labelNames: ['handler', 'code'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'thanos_query_http_request_duration_seconds',
      help: 'Time to answer an HTTP API request, by handler.',
      labelNames: ['handler'],
      buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 60, 120],
      registers,
    });
    this.storeDuration = new Histogram({
      name: 'thanos_query_store_request_duration_seconds',
      help: 'Time a store took to answer one fan-out call (Series streams until their end).',
      labelNames: ['store', 'method'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30],
      registers,
    });
    this.storeFailures = new Counter({
      name: 'thanos_query_store_request_failures_total',
      help: 'Fan-out calls that failed, by store.',
      labelNames: ['store', 'method'],
      registers,
    });
    this.partialResponses = new Counter({
      name: 'thanos_query_partial_responses_total',
      help: 'Responses returned with some stores missing (store failures turned into warnings).',
      labelNames: ['handler'],
      registers,
    });
  }
}
