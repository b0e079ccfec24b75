import type { Bucket } from './bucket';
import { isObjNotFoundErr } from './errors';
import type { ObjstoreLogger } from './logger';

export const DELETION_MARK_FILENAME = 'deletion-mark.json';
export const NO_COMPACT_MARK_FILENAME = 'no-compact-mark.json';

/** Field order follows Thanos' Go structs so marks are byte-identical to Thanos' (2-space indent). */
export interface DeletionMark {
  id: string;
  version: 1;
  details?: string;
  /** Unix seconds. */
  deletion_time: number;
}

export type NoCompactReason =
  'manual' | 'index-size-exceeding' | 'block-index-out-of-order-chunk' | 'downsample-vertical-compaction';

export interface NoCompactMark {
  id: string;
  version: 1;
  details?: string;
  /** Unix seconds. */
  no_compact_time: number;
  reason: NoCompactReason;
}

export interface MarkOptions {
  logger?: ObjstoreLogger;
  /** Clock for the mark's timestamp (tests). */
  now?: () => Date;
}

const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Uploads `<id>/<file>` unless present; returns false (and warns, as Thanos does) when it already existed. */
async function uploadMark(bucket: Bucket, id: string, file: string, mark: object, logger?: ObjstoreLogger) {
  const name = `${id}/${file}`;
  if (await bucket.exists(name)) {
    logger?.warn?.('requested to mark block, but the mark file already exists', { block: id, file });
    return false;
  }
  await bucket.upload(name, Buffer.from(JSON.stringify(mark, null, 2)));
  return true;
}

export function markForDeletion(bucket: Bucket, id: string, details: string, options: MarkOptions = {}) {
  const now = (options.now ?? (() => new Date()))();
  const mark: DeletionMark = { id, version: 1, details: details || undefined, deletion_time: unixSeconds(now) };
  return uploadMark(bucket, id, DELETION_MARK_FILENAME, mark, options.logger);
}

export function markNoCompact(
  bucket: Bucket,
  id: string,
  reason: NoCompactReason,
  details: string,
  options: MarkOptions = {},
) {
  const now = (options.now ?? (() => new Date()))();
  const mark: NoCompactMark = {
    id,
    version: 1,
    details: details || undefined,
    no_compact_time: unixSeconds(now),
    reason,
  };
  return uploadMark(bucket, id, NO_COMPACT_MARK_FILENAME, mark, options.logger);
}

export class MarkerError extends Error {
  override readonly name = 'MarkerError';
}

async function readMark<T extends { version: number }>(bucket: Bucket, id: string, file: string) {
  const name = `${id}/${file}`;
  let text: string;
  try {
    text = Buffer.from(await bucket.get(name)).toString('utf8');
  } catch (err) {
    if (isObjNotFoundErr(err)) return undefined;
    throw err;
  }
  let mark: T;
  try {
    mark = JSON.parse(text) as T;
  } catch (err) {
    throw new MarkerError(`${name}: not valid JSON (partially uploaded?): ${(err as Error).message}`);
  }
  if (mark.version !== 1) throw new MarkerError(`${name}: unexpected version ${mark.version}, expected 1`);
  return mark;
}

/** The block's deletion mark, or undefined when it has none. */
export function readDeletionMark(bucket: Bucket, id: string): Promise<DeletionMark | undefined> {
  return readMark<DeletionMark>(bucket, id, DELETION_MARK_FILENAME);
}

export function readNoCompactMark(bucket: Bucket, id: string): Promise<NoCompactMark | undefined> {
  return readMark<NoCompactMark>(bucket, id, NO_COMPACT_MARK_FILENAME);
}
