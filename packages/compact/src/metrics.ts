import { Counter, Gauge, type Registry } from 'prom-client';

/** The compactor's Prometheus metrics (names as Thanos'). */
export class CompactorMetrics {
  readonly iterations: Counter;
  readonly retries: Counter;
  readonly groupCompactions: Counter<'resolution'>;
  readonly groupCompactionFailures: Counter;
  readonly verticalCompactions: Counter;
  readonly downsamples: Counter<'resolution'>;
  readonly downsampleFailures: Counter<'resolution'>;
  readonly blocksMarked: Counter<'marker' | 'reason'>;
  /** Unlabelled: the whole compactor halted (--compact.halt-on-error); `group`: a quarantined group. */
  readonly halted: Gauge<'group'>;
  readonly todoCompactions: Gauge;
  readonly todoCompactionBlocks: Gauge;
  readonly todoDownsampleBlocks: Gauge;
  readonly todoDeletionBlocks: Gauge;
  readonly garbageCollected: Counter;
  readonly partialUploadDeletions: Counter;
  readonly blocksCleaned: Counter;
  readonly corruptedMetas: Gauge;
  readonly deleteDelay: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.iterations = new Counter({
      name: 'thanos_compact_iterations_total',
      help: 'Total number of iterations that were executed successfully.',
      registers,
    });
    this.retries = new Counter({
      name: 'thanos_compact_retries_total',
      help: 'Total number of retries after retriable compactor error.',
      registers,
    });
    this.groupCompactions = new Counter({
      name: 'thanos_compact_group_compactions_total',
      help: 'Total number of group compaction attempts that resulted in a new block.',
      labelNames: ['resolution'],
      registers,
    });
    this.groupCompactionFailures = new Counter({
      name: 'thanos_compact_group_compactions_failures_total',
      help: 'Total number of failed group compactions.',
      registers,
    });
    this.verticalCompactions = new Counter({
      name: 'thanos_compact_group_vertical_compactions_total',
      help: 'Total number of group compactions of overlapping blocks.',
      registers,
    });
    this.downsamples = new Counter({
      name: 'thanos_compact_downsample_total',
      help: 'Total number of downsampling attempts.',
      labelNames: ['resolution'],
      registers,
    });
    this.downsampleFailures = new Counter({
      name: 'thanos_compact_downsample_failures_total',
      help: 'Total number of failed downsampling attempts.',
      labelNames: ['resolution'],
      registers,
    });
    this.blocksMarked = new Counter({
      name: 'thanos_compact_blocks_marked_total',
      help: 'Total number of blocks marked by the compactor.',
      labelNames: ['marker', 'reason'],
      registers,
    });
    this.halted = new Gauge({
      name: 'thanos_compact_halted',
      help: 'Set to 1 if the compactor halted (no group label) or a group is quarantined after an unexpected error (group label).',
      labelNames: ['group'],
      registers,
    });
    this.halted.set(0);
    this.todoCompactions = new Gauge({
      name: 'thanos_compact_todo_compactions',
      help: 'The number of planned compactions.',
      registers,
    });
    this.todoCompactionBlocks = new Gauge({
      name: 'thanos_compact_todo_compaction_blocks',
      help: 'The number of blocks planned to be compacted.',
      registers,
    });
    this.todoDownsampleBlocks = new Gauge({
      name: 'thanos_compact_todo_downsample_blocks',
      help: 'The number of blocks waiting to be downsampled.',
      registers,
    });
    this.todoDeletionBlocks = new Gauge({
      name: 'thanos_compact_todo_deletion_blocks',
      help: 'The number of blocks marked for deletion waiting for the delete delay.',
      registers,
    });
    this.garbageCollected = new Counter({
      name: 'thanos_compact_garbage_collected_blocks_total',
      help: 'Total number of blocks marked for deletion by the compactor (covered by a compacted block).',
      registers,
    });
    this.partialUploadDeletions = new Counter({
      name: 'thanos_compact_aborted_partial_uploads_deletion_attempts_total',
      help: 'Total number of started deletions of blocks that are assumed aborted and only partially uploaded.',
      registers,
    });
    this.blocksCleaned = new Counter({
      name: 'thanos_compact_blocks_cleaned_total',
      help: 'Total number of blocks deleted in compactor.',
      registers,
    });
    this.deleteDelay = new Gauge({
      name: 'thanos_delete_delay_seconds',
      help: 'Configured delay between a deletion mark and the deletion of the block.',
      registers,
    });
    this.corruptedMetas = new Gauge({
      name: 'thanos_compact_corrupted_meta_blocks',
      help: 'Block directories whose meta.json cannot be parsed (skipped).',
      registers,
    });
  }
}
