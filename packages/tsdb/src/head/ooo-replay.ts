import { existsSync } from 'node:fs';
import { replayWal, type ReplayResult } from '../wal';
import type { Head } from './head';

export interface WblReplayStats extends ReplayResult {
  /** Samples of series the WAL does not know (Prometheus logs these as unknown references and drops them). */
  unknownSeriesSamples: number;
}

/**
 * Replays a WBL directory (`wbl/`, out-of-order samples in the WAL format) into `head`, after
 * the WAL replay created the series: every sample is inserted into its series' out-of-order
 * chunks, without a time check (as Prometheus' `processWBLSamples`). `refMap` maps series refs
 * the WAL logged twice to the ref the head kept. M-map markers are skipped: this head keeps
 * out-of-order chunks in memory only, so every logged sample is replayed. A torn last record
 * is truncated away.
 */
export function replayHeadWbl(head: Head, wblDir: string, refMap?: ReadonlyMap<number, number>): WblReplayStats {
  let unknown = 0;
  if (!existsSync(wblDir)) {
    return { records: 0, series: 0, samples: 0, bytes: 0, repaired: false, unknownSeriesSamples: 0 };
  }
  const result = replayWal(
    wblDir,
    {
      samples(batch) {
        for (let i = 0; i < batch.length; i++) {
          const ref = batch.refs[i];
          const s = head.seriesByRef(refMap?.get(ref) ?? ref);
          if (s === undefined) unknown++;
          else head.insertOoo(s, batch.timestamps[i], batch.valueHi(i), batch.valueLo(i));
        }
      },
    },
    { repairTornTail: true },
  );
  return { ...result, unknownSeriesSamples: unknown };
}
