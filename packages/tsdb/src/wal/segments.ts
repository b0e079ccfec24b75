// Naming and listing of segment files and checkpoint directories in a WAL directory.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptionError } from '../encoding';

export interface SegmentFile {
  index: number;
  path: string;
  size: number;
}

export interface CheckpointDir {
  /** The last WAL segment the checkpoint covers. */
  index: number;
  path: string;
}

const SEGMENT_NAME = /^\d+$/;
const CHECKPOINT_PREFIX = 'checkpoint.';

/** `00000012` for segment 12. */
export function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

export function checkpointName(index: number): string {
  return CHECKPOINT_PREFIX + segmentName(index);
}

/**
 * The segments of `dir` in order, optionally limited to `[from, to]`. Like Prometheus, a gap in
 * the numbering is an error: it means lost data that replay must not silently skip.
 */
export function listSegments(dir: string, from = 0, to = Infinity): SegmentFile[] {
  if (!existsSync(dir)) return [];
  const segments: SegmentFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!SEGMENT_NAME.test(name)) continue;
    const index = Number(name);
    if (index < from || index > to) continue;
    const path = join(dir, name);
    segments.push({ index, path, size: statSync(path).size });
  }
  segments.sort((a, b) => a.index - b.index);
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].index !== segments[i - 1].index + 1) {
      throw new CorruptionError(
        `WAL segments are not sequential: ${segmentName(segments[i - 1].index)} is followed by ${segmentName(segments[i].index)}`,
        dir,
      );
    }
  }
  return segments;
}

/** Completed checkpoints (`checkpoint.NNNNNNNN`, not `.tmp`) in ascending order. */
export function listCheckpoints(walDir: string): CheckpointDir[] {
  if (!existsSync(walDir)) return [];
  const out: CheckpointDir[] = [];
  for (const name of readdirSync(walDir)) {
    if (!name.startsWith(CHECKPOINT_PREFIX)) continue;
    const suffix = name.slice(CHECKPOINT_PREFIX.length);
    if (!SEGMENT_NAME.test(suffix)) continue;
    out.push({ index: Number(suffix), path: join(walDir, name) });
  }
  return out.sort((a, b) => a.index - b.index);
}

export function lastCheckpoint(walDir: string): CheckpointDir | undefined {
  return listCheckpoints(walDir).at(-1);
}
