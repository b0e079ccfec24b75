import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of routing, replication, forwarding and the spill. */
export class RouterMetrics {
  readonly forwardRequests: Counter<'peer' | 'result'>;
  readonly forwardDuration: Histogram<'peer'>;
  readonly replications: Counter<'result'>;
  readonly hashringNodes: Gauge<'name'>;
  readonly hashringsFileChanges: Counter;
  readonly hashringVersion: Gauge;
  readonly spillBytes: Gauge<'peer'>;
  readonly spillRecords: Gauge<'peer'>;
  readonly spillReplayed: Counter<'peer'>;
  readonly spillDropped: Counter<'peer'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.forwardRequests = new Counter({
      name: 'thanos_receive_forward_requests_total',
      help: 'Writes forwarded to peer receivers, by peer and result (success, error, spilled).',
      labelNames: ['peer', 'result'],
      registers,
    });
    this.forwardDuration = new Histogram({
      name: 'thanos_receive_forward_duration_seconds',
      help: 'Latency of forwarding a write to a peer receiver.',
      labelNames: ['peer'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.replications = new Counter({
      name: 'thanos_receive_replications_total',
      help: 'Replicated write requests, by result (success: quorum reached, error: not reached).',
      labelNames: ['result'],
      registers,
    });
    this.hashringNodes = new Gauge({
      name: 'thanos_receive_hashring_nodes',
      help: 'Endpoints of each hashring in force.',
      labelNames: ['name'],
      registers,
    });
    this.hashringsFileChanges = new Counter({
      name: 'thanos_receive_hashrings_file_changes_total',
      help: 'Hashrings file changes taken into use.',
      registers,
    });
    this.hashringVersion = new Gauge({
      name: 'thanos_receive_hashring_version',
      help: 'Version of the hashrings configuration in force (1 for the first loaded).',
      registers,
    });
    this.spillBytes = new Gauge({
      name: 'thanos_receive_spill_bytes',
      help: 'Bytes of writes kept on disk for a peer that missed them.',
      labelNames: ['peer'],
      registers,
    });
    this.spillRecords = new Gauge({
      name: 'thanos_receive_spill_records',
      help: 'Writes kept on disk for a peer that missed them.',
      labelNames: ['peer'],
      registers,
    });
    this.spillReplayed = new Counter({
      name: 'thanos_receive_spill_replayed_records_total',
      help: 'Spilled writes delivered to their peer.',
      labelNames: ['peer'],
      registers,
    });
    this.spillDropped = new Counter({
      name: 'thanos_receive_spill_dropped_records_total',
      help: 'Spilled writes dropped because the spill was full or the peer refused them.',
      labelNames: ['peer'],
      registers,
    });
  }
}
