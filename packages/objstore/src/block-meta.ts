/**
 * The parts of a block's `meta.json` the bucket tools need. Unknown fields are kept on the
 * object as parsed, so a meta read and written back here loses nothing.
 */
export interface BlockFile {
  rel_path: string;
  size_bytes?: number;
  hash?: { func: string; value: string };
}

export interface ThanosMeta {
  version?: number;
  labels: Record<string, string>;
  downsample: { resolution: number };
  source?: string;
  segment_files?: string[];
  files?: BlockFile[];
  upload_time?: string;
  [field: string]: unknown;
}

export interface BlockMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: {
    numSamples?: number;
    numSeries?: number;
    numChunks?: number;
    numTombstones?: number;
    numFloatSamples?: number;
    numHistogramSamples?: number;
  };
  compaction: {
    level: number;
    sources?: string[];
    parents?: { ulid: string; minTime: number; maxTime: number }[];
    failed?: boolean;
    deletable?: boolean;
    hints?: string[];
  };
  version: number;
  thanos: ThanosMeta;
  [field: string]: unknown;
}

export const META_FILENAME = 'meta.json';

const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

/** True for a 26-character Crockford base32 ULID (block directory names). */
export function isUlid(text: string): boolean {
  return ULID_RE.test(text);
}

export class BlockMetaError extends Error {
  override readonly name = 'BlockMetaError';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses meta.json text; `where` (a path) is named in errors. Missing `thanos` parts get their Thanos defaults. */
export function parseBlockMeta(text: string, where: string): BlockMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BlockMetaError(`${where}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new BlockMetaError(`${where}: expected a JSON object`);
  const fail = (field: string, what: string) => new BlockMetaError(`${where}: field ${field} ${what}`);
  if (typeof raw.ulid !== 'string' || !isUlid(raw.ulid)) throw fail('ulid', 'must be a ULID');
  for (const field of ['minTime', 'maxTime'] as const) {
    if (typeof raw[field] !== 'number' || !Number.isInteger(raw[field])) throw fail(field, 'must be an integer');
  }
  if (raw.version !== 1) throw fail('version', `must be 1, got ${JSON.stringify(raw.version)}`);
  if (raw.stats !== undefined && !isObject(raw.stats)) throw fail('stats', 'must be an object');
  raw.stats ??= {};
  if (!isObject(raw.compaction) || typeof raw.compaction.level !== 'number')
    throw fail('compaction.level', 'must be a number');
  if (raw.thanos !== undefined && !isObject(raw.thanos)) throw fail('thanos', 'must be an object');
  const thanos = (raw.thanos ??= {}) as Record<string, unknown>;
  if (thanos.labels !== undefined && !isObject(thanos.labels)) throw fail('thanos.labels', 'must be an object');
  thanos.labels ??= {};
  if (thanos.downsample !== undefined && !isObject(thanos.downsample))
    throw fail('thanos.downsample', 'must be an object');
  const downsample = (thanos.downsample ??= {}) as Record<string, unknown>;
  downsample.resolution ??= 0;
  if (typeof downsample.resolution !== 'number') throw fail('thanos.downsample.resolution', 'must be a number');
  return raw as BlockMeta;
}

/** meta.json as Thanos writes it: tab-indented JSON with a trailing newline. */
export function encodeBlockMeta(meta: BlockMeta): string {
  return `${JSON.stringify(meta, null, '\t')}\n`;
}
