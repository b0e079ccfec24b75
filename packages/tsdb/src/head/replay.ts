import { replayWal, type ReplayResult } from '../wal';
import type { Head } from './head';
import { labelsKey } from './labels-key';

/** The part of a structured logger replay reports progress to. */
export interface ProgressLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
}

export interface HeadReplayStats extends ReplayResult {
  /** Samples dropped because they were out of order, duplicates, or before the head's valid range. */
  skippedSamples: number;
}

/**
 * Rebuilds `head` from a WAL directory, as Prometheus does on start: series records
 * recreate series under their logged refs (a label set logged twice maps to the first
 * ref), samples are appended in log order and ones that would not have been accepted
 * are dropped, tombstones are restored. A torn last record is truncated away.
 */
export function replayHeadWal(head: Head, walDir: string, log?: ProgressLogger): HeadReplayStats {
  const refMap = new Map<number, number>();
  let skipped = 0;
  let lastReport = Date.now();
  const result = replayWal(
    walDir,
    {
      series(series) {
        for (const rs of series) {
          const key = labelsKey(rs.labels);
          const h = head.hash(key);
          const existing = head.lookup(key, h);
          if (existing) refMap.set(rs.ref, existing.ref);
          else head.create(rs.labels, key, h, rs.ref);
        }
      },
      samples(batch) {
        for (let i = 0; i < batch.length; i++) {
          const ref = batch.refs[i];
          const s = head.seriesByRef(refMap.get(ref) ?? ref);
          const t = batch.timestamps[i];
          if (s === undefined || t < head.minValidTime || t <= s.lastT) {
            skipped++;
            continue;
          }
          s.append(t, batch.valueHi(i), batch.valueLo(i));
          head.noteSample(t);
        }
      },
      tombstones(stones) {
        for (const st of stones) head.tombstones.add(refMap.get(st.ref) ?? st.ref, { mint: st.mint, maxt: st.maxt });
      },
      progress(p) {
        if (log && Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          log.info('WAL replay in progress', {
            segment: `${p.segmentsDone}/${p.segmentsTotal}`,
            progress: `${Math.round((100 * p.bytesDone) / Math.max(1, p.bytesTotal))}%`,
          });
        }
      },
    },
    { repairTornTail: true },
  );
  return { ...result, skippedSamples: skipped };
}
