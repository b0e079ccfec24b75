import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The receiver's own metrics, named as Thanos names them where Thanos has one. */
export class ReceiveMetrics {
  readonly httpRequests: Counter<'code' | 'handler' | 'method'>;
  readonly httpDuration: Histogram<'code' | 'handler' | 'method'>;
  readonly writeTimeseries: Counter<'code' | 'tenant'>;
  readonly writeSamples: Counter<'code' | 'tenant'>;
  readonly samplesAppended: Counter<'tenant'>;
  readonly oooSamplesAppended: Counter<'tenant'>;
  readonly headSeries: Gauge<'tenant'>;
  readonly walWriteDuration: Histogram;
  readonly walFsyncDuration: Histogram;
  readonly walReplaySamples: Counter<'tenant'>;
  readonly shipperUploads: Counter<'tenant'>;
  readonly shipperFailures: Counter<'tenant'>;
  readonly compactions: Counter<'tenant'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.httpRequests = new Counter({
      name: 'thanos_receive_http_requests_total',
      help: 'Remote-write HTTP requests by status code.',
      labelNames: ['code', 'handler', 'method'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'thanos_receive_http_request_duration_seconds',
      help: 'Remote-write HTTP request latency.',
      labelNames: ['code', 'handler', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.writeTimeseries = new Counter({
      name: 'thanos_receive_write_timeseries_total',
      help: 'Series received in remote-write requests, by tenant and response code.',
      labelNames: ['code', 'tenant'],
      registers,
    });
    this.writeSamples = new Counter({
      name: 'thanos_receive_write_samples_total',
      help: 'Samples received in remote-write requests, by tenant and response code.',
      labelNames: ['code', 'tenant'],
      registers,
    });
    this.samplesAppended = new Counter({
      name: 'prometheus_tsdb_head_samples_appended_total',
      help: 'Samples appended to the head, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.oooSamplesAppended = new Counter({
      name: 'prometheus_tsdb_head_out_of_order_samples_appended_total',
      help: 'Out-of-order samples appended to the head (within --tsdb.out-of-order.time-window), per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.headSeries = new Gauge({
      name: 'prometheus_tsdb_head_series',
      help: 'Series in the head, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.walWriteDuration = new Histogram({
      name: 'thanos_receive_wal_write_duration_seconds',
      help: 'Time to write one request commit to the WAL (page cache).',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    });
    this.walFsyncDuration = new Histogram({
      name: 'prometheus_tsdb_wal_fsync_duration_seconds',
      help: 'Duration of WAL fsyncs (group commit, with --tsdb.wal-fsync).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.walReplaySamples = new Counter({
      name: 'thanos_receive_wal_replayed_samples_total',
      help: 'Samples replayed from the WAL on start, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.shipperUploads = new Counter({
      name: 'thanos_shipper_uploads_total',
      help: 'Blocks uploaded to the bucket, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.shipperFailures = new Counter({
      name: 'thanos_shipper_upload_failures_total',
      help: 'Failed block uploads, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.compactions = new Counter({
      name: 'prometheus_tsdb_compactions_total',
      help: 'Head compactions into blocks, per tenant.',
      labelNames: ['tenant'],
      registers,
    });
  }
}
