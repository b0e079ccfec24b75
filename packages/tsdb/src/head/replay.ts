import { replayWal, type ReplayResult } from '../wal';
import type { Head } from './head';
import type { MemSeries } from './memseries';

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
export function replayHeadWal(
  head: Head,
  walDir: string,
  log?: ProgressLogger,
  /** Filled with refs logged for a label set that already had one (→ the kept ref): the WBL replay needs it. */
  refMap = new Map<number, number>(),
): HeadReplayStats {
  let skipped = 0;
  let lastReport = Date.now();
  const byWalRef = new SeriesByWalRef();
  const result = replayWal(
    walDir,
    {
      seriesEntry(ref, labels, key) {
        const h = head.hash(key);
        let s = head.lookup(key, h);
        if (s) refMap.set(ref, s.ref);
        else s = head.create(labels, key, h, ref);
        byWalRef.set(ref, s);
      },
      samples(batch) {
        for (let i = 0; i < batch.length; i++) {
          const ref = batch.refs[i];
          const s = byWalRef.get(ref) ?? head.seriesByRef(refMap.get(ref) ?? ref);
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

/** Dense slots from the first ref seen up to this many refs later; refs outside fall back to the head's map. */
const MAX_DENSE_REFS = 1 << 24;

/**
 * The series of each WAL ref seen in a Series record, in an array indexed from the first ref seen (refs are
 * handed out sequentially), so that the samples, far more numerous, need no map lookup by ref.
 */
class SeriesByWalRef {
  private base = -1;
  private readonly slots: Array<MemSeries | undefined> = [];

  set(ref: number, s: MemSeries): void {
    if (this.base < 0) this.base = ref;
    const i = ref - this.base;
    if (i < 0 || i >= MAX_DENSE_REFS) return;
    while (this.slots.length < i) this.slots.push(undefined);
    this.slots[i] = s;
  }

  get(ref: number): MemSeries | undefined {
    const i = ref - this.base;
    return i >= 0 && i < this.slots.length ? this.slots[i] : undefined;
  }
}
