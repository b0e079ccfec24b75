// WAL checkpoints (Prometheus `wlog.Checkpoint`): after head compaction, segments [from, to] and
// the previous checkpoint are condensed into `checkpoint.<to>`, keeping only what the head still
// needs: series that are alive, samples/exemplars at or after mint, tombstones reaching mint and
// the latest metadata of live series.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EncodingBuffer } from '../encoding';
import {
  decodeExemplars,
  decodeMetadata,
  decodeSamples,
  decodeSeries,
  decodeTombstones,
  encodeExemplars,
  encodeMetadata,
  encodeSamples,
  encodeSeries,
  encodeTombstones,
  ExemplarBatch,
  RecordType,
  recordType,
  SampleBatch,
  type RefMetadata,
} from '../record';
import { WalReader } from './reader';
import { checkpointName, lastCheckpoint, listCheckpoints, listSegments, segmentName } from './segments';
import { WalWriter, type WalWriterOptions } from './writer';

export interface CheckpointStats {
  droppedSeries: number;
  droppedSamples: number;
  droppedTombstones: number;
  droppedExemplars: number;
  droppedMetadata: number;
  totalSeries: number;
  totalSamples: number;
  totalTombstones: number;
  totalExemplars: number;
  totalMetadata: number;
}

/** Records are written to the checkpoint in batches of about this many bytes. */
const FLUSH_BYTES = 1 << 20;
const TMP_SUFFIX = '.tmp';

/**
 * Writes `walDir/checkpoint.<to>` from the last checkpoint and segments `[from, to]`; returns its
 * path and statistics. Histogram records pass through unfiltered (they are not decoded here);
 * unknown record types are dropped, as Prometheus does. Damage of any kind aborts: a checkpoint
 * must not lose series silently. The caller then deletes what it replaced with
 * `deleteSegmentsBefore(walDir, to + 1)` and `deleteCheckpointsBefore(walDir, to)`.
 */
export async function checkpoint(
  walDir: string,
  from: number,
  to: number,
  keep: (ref: number) => boolean,
  mint: number,
  options: WalWriterOptions = {},
): Promise<{ path: string; stats: CheckpointStats }> {
  const previous = lastCheckpoint(walDir);
  const readers: WalReader[] = [];
  if (previous) {
    if (from > previous.index + 1) {
      throw new Error(
        `unexpected gap to last checkpoint ${previous.path}: expected segment ${previous.index + 1}, requested ${from}`,
      );
    }
    from = previous.index + 1;
    readers.push(new WalReader(listSegments(previous.path), { tolerateTornTail: false }));
  }
  readers.push(new WalReader(listSegments(walDir, from, to), { tolerateTornTail: false }));

  for (const name of readdirSync(walDir)) {
    if (name.startsWith('checkpoint.') && name.endsWith(TMP_SUFFIX)) rmSync(join(walDir, name), { recursive: true });
  }
  const path = join(walDir, checkpointName(to));
  const tmp = path + TMP_SUFFIX;
  const writer = WalWriter.open(tmp, options);
  try {
    const stats = filterRecords(readers, writer, keep, mint);
    await writer.close();
    syncDir(tmp);
    rmSync(path, { recursive: true, force: true });
    renameSync(tmp, path);
    syncDir(walDir);
    return { path, stats };
  } catch (err) {
    await writer.close().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    readers.forEach((r) => r.close());
  }
}

function filterRecords(
  readers: WalReader[],
  writer: WalWriter,
  keep: (ref: number) => boolean,
  mint: number,
): CheckpointStats {
  const stats: CheckpointStats = {
    droppedSeries: 0,
    droppedSamples: 0,
    droppedTombstones: 0,
    droppedExemplars: 0,
    droppedMetadata: 0,
    totalSeries: 0,
    totalSamples: 0,
    totalTombstones: 0,
    totalExemplars: 0,
    totalMetadata: 0,
  };
  const buf = new EncodingBuffer(FLUSH_BYTES);
  const batch: Uint8Array[] = [];
  const samples = new SampleBatch();
  const keptSamples = new SampleBatch();
  const exemplars = new ExemplarBatch();
  const keptExemplars = new ExemplarBatch();
  const latestMetadata = new Map<number, RefMetadata>();
  const emit = (rec: Uint8Array | undefined) => {
    if (rec) batch.push(rec);
    if (buf.length >= FLUSH_BYTES) flush();
  };
  const flush = () => {
    writer.log(...batch);
    batch.length = 0;
    buf.reset();
  };
  for (const reader of readers) {
    for (let rec = reader.next(); rec; rec = reader.next()) {
      const data = rec.data;
      switch (recordType(data)) {
        case RecordType.Series: {
          const all = decodeSeries(data);
          const kept = all.filter((s) => keep(s.ref));
          stats.totalSeries += all.length;
          stats.droppedSeries += all.length - kept.length;
          emit(kept.length > 0 ? encodeSeries(buf, kept) : undefined);
          break;
        }
        case RecordType.Samples:
          samples.reset();
          keptSamples.reset();
          decodeSamples(data, samples);
          for (let i = 0; i < samples.length; i++) if (samples.timestamps[i] >= mint) keptSamples.pushFrom(samples, i);
          stats.totalSamples += samples.length;
          stats.droppedSamples += samples.length - keptSamples.length;
          emit(keptSamples.length > 0 ? encodeSamples(buf, keptSamples) : undefined);
          break;
        case RecordType.Tombstones: {
          const all = decodeTombstones(data);
          const kept = all.filter((t) => t.maxt >= mint);
          stats.totalTombstones += all.length;
          stats.droppedTombstones += all.length - kept.length;
          emit(kept.length > 0 ? encodeTombstones(buf, kept) : undefined);
          break;
        }
        case RecordType.Exemplars:
          exemplars.reset();
          keptExemplars.reset();
          decodeExemplars(data, exemplars);
          for (let i = 0; i < exemplars.length; i++) {
            if (exemplars.timestamps[i] >= mint) keptExemplars.pushFrom(exemplars, i);
          }
          stats.totalExemplars += exemplars.length;
          stats.droppedExemplars += exemplars.length - keptExemplars.length;
          emit(keptExemplars.length > 0 ? encodeExemplars(buf, keptExemplars) : undefined);
          break;
        case RecordType.Metadata:
          for (const m of decodeMetadata(data)) {
            stats.totalMetadata++;
            if (keep(m.ref)) latestMetadata.set(m.ref, m);
          }
          break;
        case RecordType.HistogramSamples:
        case RecordType.FloatHistogramSamples: {
          const start = buf.length;
          buf.putBytes(data);
          emit(buf.bytes.subarray(start));
          break;
        }
        default:
          break;
      }
    }
  }
  stats.droppedMetadata = stats.totalMetadata - latestMetadata.size;
  if (latestMetadata.size > 0) {
    emit(encodeMetadata(buf, [...latestMetadata.values()]));
  }
  flush();
  return stats;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Deletes WAL segments with an index below `index` (those a checkpoint now covers). */
export function deleteSegmentsBefore(walDir: string, index: number): void {
  for (const s of listSegments(walDir)) if (s.index < index) rmSync(join(walDir, segmentName(s.index)));
}

/** Deletes checkpoints with an index below `index`. */
export function deleteCheckpointsBefore(walDir: string, index: number): void {
  for (const c of listCheckpoints(walDir)) if (c.index < index) rmSync(c.path, { recursive: true, force: true });
}
