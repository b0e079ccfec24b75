// Startup replay: the latest checkpoint, then the WAL segments after it, decoded and streamed to
// a handler. Decoding only happens for the record types the handler asks for.
import { truncateSync } from 'node:fs';
import { CorruptionError } from '../encoding';
import {
  decodeExemplars,
  decodeMetadata,
  decodeSamples,
  decodeSeries,
  decodeTombstones,
  ExemplarBatch,
  forEachSeries,
  RecordType,
  recordType,
  SampleBatch,
  type RefMetadata,
  type RefSeries,
  type Tombstone,
} from '../record';
import type { Labels } from '../labels';
import { WalReader, type TornTail, type WalRecord } from './reader';
import { lastCheckpoint, listSegments } from './segments';

const PROGRESS_BYTES = 16 << 20;

export interface ReplayProgress {
  segmentsDone: number;
  segmentsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/** Where a record came from, for handlers that care (e.g. logging). */
export type RecordLocation = Pick<WalRecord, 'segment' | 'path' | 'offset'>;

/**
 * Callbacks for replay. Batches and arrays passed in are reused after the callback returns:
 * copy what you keep. Records of types without a callback are skipped without decoding.
 */
export interface ReplayHandler {
  series?(series: RefSeries[], at: RecordLocation): void;
  /**
   * Instead of `series`: each series of a Series record with its canonical key (`name 0xff value 0xff ...`,
   * taken from the record's bytes; valid only during the call), without an object per series.
   */
  seriesEntry?(ref: number, labels: Labels, key: Uint8Array, at: RecordLocation): void;
  samples?(samples: SampleBatch, at: RecordLocation): void;
  tombstones?(tombstones: Tombstone[], at: RecordLocation): void;
  exemplars?(exemplars: ExemplarBatch, at: RecordLocation): void;
  metadata?(metadata: RefMetadata[], at: RecordLocation): void;
  /** Any other record type (histograms, mmap markers, unknown), undecoded. */
  other?(type: number, data: Uint8Array, at: RecordLocation): void;
  /** Called when a segment starts, every 16 MiB within it, and at the end. */
  progress?(p: ReplayProgress): void;
}

export interface ReplayOptions {
  /** Truncate a torn last segment at the torn record (what Prometheus's repair does); default false. */
  repairTornTail?: boolean;
}

export interface ReplayResult {
  /** Index of the checkpoint replayed first, if any. */
  checkpoint?: number;
  records: number;
  series: number;
  samples: number;
  bytes: number;
  tornTail?: TornTail;
  /** Whether `tornTail` was truncated away. */
  repaired: boolean;
}

/** Replays `walDir` (a Prometheus `wal/` directory) into `handler`. Throws CorruptionError on damage. */
export function replayWal(walDir: string, handler: ReplayHandler, options: ReplayOptions = {}): ReplayResult {
  const cp = lastCheckpoint(walDir);
  const readers = [];
  if (cp) readers.push(new WalReader(listSegments(cp.path), { tolerateTornTail: false }));
  readers.push(new WalReader(listSegments(walDir, cp ? cp.index + 1 : 0)));
  const progress: ReplayProgress = {
    segmentsDone: 0,
    segmentsTotal: readers.reduce((n, r) => n + r.segments.length, 0),
    bytesDone: 0,
    bytesTotal: readers.reduce((n, r) => n + r.totalBytes, 0),
  };
  const result: ReplayResult = { checkpoint: cp?.index, records: 0, series: 0, samples: 0, bytes: 0, repaired: false };
  const dispatch = recordDispatcher(handler, result);
  let segmentsBefore = 0;
  let bytesBefore = 0;
  for (const reader of readers) {
    let lastSegment = -1;
    let lastBytes = 0;
    try {
      for (let rec = reader.next(); rec; rec = reader.next()) {
        dispatch(rec);
        if (handler.progress && (rec.segment !== lastSegment || reader.bytesRead - lastBytes >= PROGRESS_BYTES)) {
          lastSegment = rec.segment;
          lastBytes = reader.bytesRead;
          report(handler, progress, segmentsBefore + reader.segmentsDone, bytesBefore + lastBytes);
        }
      }
    } finally {
      reader.close();
    }
    segmentsBefore += reader.segments.length;
    bytesBefore += reader.totalBytes;
    result.tornTail ??= reader.tornTail;
  }
  result.bytes = bytesBefore;
  if (result.tornTail && options.repairTornTail) {
    truncateAt(result.tornTail);
    result.repaired = true;
  }
  if (handler.progress) report(handler, progress, segmentsBefore, bytesBefore);
  return result;
}

function report(handler: ReplayHandler, p: ReplayProgress, segmentsDone: number, bytesDone: number): void {
  p.segmentsDone = segmentsDone;
  p.bytesDone = bytesDone;
  handler.progress!(p);
}

function recordDispatcher(handler: ReplayHandler, result: ReplayResult): (rec: WalRecord) => void {
  const series: RefSeries[] = [];
  const samples = new SampleBatch(1024);
  const tombstones: Tombstone[] = [];
  const exemplars = new ExemplarBatch();
  const metadata: RefMetadata[] = [];
  return (rec) => {
    result.records++;
    try {
      switch (recordType(rec.data)) {
        case RecordType.Series:
          if (handler.seriesEntry) {
            const visit = handler.seriesEntry.bind(handler);
            result.series += forEachSeries(rec.data, (ref, labels, key) => visit(ref, labels, key, rec));
            break;
          }
          if (!handler.series) break;
          series.length = 0;
          decodeSeries(rec.data, series);
          result.series += series.length;
          handler.series(series, rec);
          break;
        case RecordType.Samples:
          if (!handler.samples) break;
          samples.reset();
          decodeSamples(rec.data, samples);
          result.samples += samples.length;
          handler.samples(samples, rec);
          break;
        case RecordType.Tombstones:
          if (!handler.tombstones) break;
          tombstones.length = 0;
          handler.tombstones(decodeTombstones(rec.data, tombstones), rec);
          break;
        case RecordType.Exemplars:
          if (!handler.exemplars) break;
          exemplars.reset();
          handler.exemplars(decodeExemplars(rec.data, exemplars), rec);
          break;
        case RecordType.Metadata:
          if (!handler.metadata) break;
          metadata.length = 0;
          handler.metadata(decodeMetadata(rec.data, metadata), rec);
          break;
        default:
          handler.other?.(rec.data.length > 0 ? rec.data[0] : -1, rec.data, rec);
      }
    } catch (err) {
      if (err instanceof CorruptionError) {
        throw new CorruptionError(
          `record at offset ${rec.offset}: ${err.reason} (at byte ${err.offset} of the decoded record)`,
          rec.path,
          rec.offset,
        );
      }
      throw err;
    }
  };
}

/** Cuts a segment at a torn tail so that the WAL ends with its last complete record. */
export function truncateAt(tail: Pick<TornTail, 'path' | 'offset'>): void {
  truncateSync(tail.path, tail.offset);
}

/**
 * Scans the WAL (not the checkpoint) and truncates a torn tail if there is one; returns it.
 * Corruption elsewhere throws. Run before opening a WalWriter on a WAL that may have crashed.
 */
export function repairWal(walDir: string): TornTail | undefined {
  const cp = lastCheckpoint(walDir);
  const reader = new WalReader(listSegments(walDir, cp ? cp.index + 1 : 0));
  try {
    while (reader.next());
  } finally {
    reader.close();
  }
  if (reader.tornTail) truncateAt(reader.tornTail);
  return reader.tornTail;
}
