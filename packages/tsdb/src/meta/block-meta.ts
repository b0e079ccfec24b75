import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoJsonStruct, goJsonIndent, type GoJsonValue } from './go-json';

export const META_FILENAME = 'meta.json';
export const META_VERSION_1 = 1;
/** Thanos writes `time.Time{}` when no upload time is set (`omitempty` keeps zero structs). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Reference to a block (`tsdb.BlockDesc`). */
export interface BlockDesc {
  ulid: string;
  minTime: number;
  maxTime: number;
}

/** `tsdb.BlockStats`; zero counts are omitted from the file. */
export interface BlockStats {
  numSamples?: number;
  numFloatSamples?: number;
  numHistogramSamples?: number;
  numSeries?: number;
  numChunks?: number;
  numTombstones?: number;
}

/** `tsdb.BlockMetaCompaction`. */
export interface BlockMetaCompaction {
  level: number;
  sources?: string[];
  deletable?: boolean;
  parents?: BlockDesc[];
  failed?: boolean;
  hints?: string[];
}

/** One entry of the Thanos `files` list (`metadata.File`). */
export interface ThanosFile {
  relPath: string;
  sizeBytes?: number;
  hash?: { func: string; value: string };
}

/** The `thanos` section (`metadata.Thanos`). */
export interface ThanosMeta {
  version?: number;
  /** External labels; an absent or null map reads as empty (as Thanos does). */
  labels: Record<string, string>;
  downsample: { resolution: number };
  source: string;
  segmentFiles?: string[];
  files?: ThanosFile[];
  /** Kept as parsed; Thanos writes these only for rewritten blocks. */
  rewrites?: GoJsonValue[];
  indexStats?: { seriesMaxSize?: number; chunkMaxSize?: number };
  extensions?: GoJsonValue;
  /** RFC 3339 time as Go writes it; absent means Go's zero time. */
  uploadTime?: string;
}

/** A block's `meta.json`: the Prometheus part plus the optional Thanos section. */
export interface BlockMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: BlockStats;
  compaction: BlockMetaCompaction;
  version: number;
  thanos?: ThanosMeta;
}

export class BlockMetaError extends Error {
  override readonly name = 'BlockMetaError';
}

type Json = Record<string, unknown>;

function field<T>(
  obj: Json,
  key: string,
  type: 'string' | 'number' | 'boolean',
  where: string,
  optional: true,
): T | undefined;
function field<T>(obj: Json, key: string, type: 'string' | 'number' | 'boolean', where: string, optional?: false): T;
function field<T>(obj: Json, key: string, type: string, where: string, optional = false): T | undefined {
  const v = obj[key];
  if (v === undefined || (v === null && optional)) {
    if (optional) return undefined;
    throw new BlockMetaError(`${where}: missing "${key}"`);
  }
  if (typeof v !== type) throw new BlockMetaError(`${where}: "${key}" must be a ${type}`);
  return v as T;
}

function object(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BlockMetaError(`${where} must be an object`);
  return v as Json;
}

function list<T>(v: unknown, where: string, item: (x: unknown, where: string) => T): T[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new BlockMetaError(`${where} must be an array`);
  return v.map((x, i) => item(x, `${where}[${i}]`));
}

function str(x: unknown, where: string): string {
  if (typeof x !== 'string') throw new BlockMetaError(`${where} must be a string`);
  return x;
}

/** Keeps only the properties that are set, so parsed and built metas compare equal. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Parsed JSON with objects kept in file order: Go re-writes struct fields in the order it wrote them. */
function inFileOrder(x: unknown): GoJsonValue {
  if (Array.isArray(x)) return x.map(inFileOrder);
  if (typeof x === 'object' && x !== null)
    return new GoJsonStruct(Object.entries(x).map(([k, v]) => [k, inFileOrder(v)]));
  return x as GoJsonValue;
}

function parseBlockDesc(x: unknown, where: string): BlockDesc {
  const o = object(x, where);
  return {
    ulid: field(o, 'ulid', 'string', where),
    minTime: field(o, 'minTime', 'number', where),
    maxTime: field(o, 'maxTime', 'number', where),
  };
}

function parseThanos(x: unknown): ThanosMeta {
  const o = object(x, 'thanos');
  const version = field<number>(o, 'version', 'number', 'thanos', true);
  if (version !== undefined && version !== 0 && version !== 1) {
    throw new BlockMetaError(`unexpected meta file Thanos section version ${version}`);
  }
  const labels: Record<string, string> = {};
  if (o.labels !== undefined && o.labels !== null) {
    for (const [k, v] of Object.entries(object(o.labels, 'thanos.labels'))) labels[k] = str(v, `thanos.labels.${k}`);
  }
  const downsample = object(o.downsample ?? {}, 'thanos.downsample');
  const indexStats = o.index_stats === undefined ? undefined : object(o.index_stats, 'thanos.index_stats');
  return defined({
    version,
    labels,
    downsample: { resolution: field<number>(downsample, 'resolution', 'number', 'thanos.downsample', true) ?? 0 },
    source: field<string>(o, 'source', 'string', 'thanos', true) ?? '',
    segmentFiles: list(o.segment_files, 'thanos.segment_files', str),
    files: list(o.files, 'thanos.files', (f, where) => {
      const fo = object(f, where);
      const hash = fo.hash === undefined || fo.hash === null ? undefined : object(fo.hash, `${where}.hash`);
      return defined({
        relPath: field<string>(fo, 'rel_path', 'string', where),
        sizeBytes: field<number>(fo, 'size_bytes', 'number', where, true),
        hash: hash && {
          func: field<string>(hash, 'func', 'string', where),
          value: field<string>(hash, 'value', 'string', where),
        },
      });
    }),
    rewrites: list(o.rewrites, 'thanos.rewrites', inFileOrder),
    indexStats:
      indexStats &&
      defined({
        seriesMaxSize: field<number>(indexStats, 'series_max_size', 'number', 'thanos.index_stats', true),
        chunkMaxSize: field<number>(indexStats, 'chunk_max_size', 'number', 'thanos.index_stats', true),
      }),
    extensions: o.extensions === null ? undefined : (o.extensions as GoJsonValue | undefined),
    uploadTime: field<string>(o, 'upload_time', 'string', 'thanos', true),
  });
}

/** Parses meta.json text, checking the structure and `version == 1`. */
export function parseBlockMeta(text: string): BlockMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BlockMetaError(`invalid JSON: ${(e as Error).message}`);
  }
  const o = object(raw, 'meta.json');
  const version = field<number>(o, 'version', 'number', 'meta.json', true) ?? 0;
  if (version !== META_VERSION_1) throw new BlockMetaError(`unexpected meta file version ${version}`);
  const stats = object(o.stats ?? {}, 'stats');
  const compaction = object(o.compaction ?? {}, 'compaction');
  const count = (k: string): number | undefined => field<number>(stats, k, 'number', 'stats', true);
  return defined({
    ulid: field<string>(o, 'ulid', 'string', 'meta.json'),
    minTime: field<number>(o, 'minTime', 'number', 'meta.json'),
    maxTime: field<number>(o, 'maxTime', 'number', 'meta.json'),
    stats: defined({
      numSamples: count('numSamples'),
      numFloatSamples: count('numFloatSamples'),
      numHistogramSamples: count('numHistogramSamples'),
      numSeries: count('numSeries'),
      numChunks: count('numChunks'),
      numTombstones: count('numTombstones'),
    }),
    compaction: defined({
      level: field<number>(compaction, 'level', 'number', 'compaction', true) ?? 0,
      sources: list(compaction.sources, 'compaction.sources', str),
      deletable: field<boolean>(compaction, 'deletable', 'boolean', 'compaction', true),
      parents: list(compaction.parents, 'compaction.parents', parseBlockDesc),
      failed: field<boolean>(compaction, 'failed', 'boolean', 'compaction', true),
      hints: list(compaction.hints, 'compaction.hints', str),
    }),
    version,
    thanos: o.thanos === undefined || o.thanos === null ? undefined : parseThanos(o.thanos),
  });
}

/** Struct fields in Go order, dropping `omitempty` fields that are zero/empty. */
function struct(fields: Array<[string, GoJsonValue | undefined, 'omitempty'?]>): GoJsonStruct {
  return new GoJsonStruct(
    fields
      .filter(
        ([, v, omit]) =>
          v !== undefined && !(omit && (v === 0 || v === false || v === '' || (Array.isArray(v) && v.length === 0))),
      )
      .map(([k, v]): [string, GoJsonValue] => [k, v!]),
  );
}

function blockDescJson(d: BlockDesc): GoJsonStruct {
  return struct([
    ['ulid', d.ulid],
    ['minTime', d.minTime],
    ['maxTime', d.maxTime],
  ]);
}

function thanosJson(t: ThanosMeta): GoJsonStruct {
  return struct([
    ['version', t.version, 'omitempty'],
    ['labels', t.labels],
    ['downsample', struct([['resolution', t.downsample.resolution]])],
    ['source', t.source],
    ['segment_files', t.segmentFiles, 'omitempty'],
    [
      'files',
      t.files?.map((f) =>
        struct([
          ['rel_path', f.relPath],
          ['size_bytes', f.sizeBytes, 'omitempty'],
          [
            'hash',
            f.hash &&
              struct([
                ['func', f.hash.func],
                ['value', f.hash.value],
              ]),
          ],
        ]),
      ),
      'omitempty',
    ],
    ['rewrites', t.rewrites, 'omitempty'],
    [
      'index_stats',
      struct([
        ['series_max_size', t.indexStats?.seriesMaxSize, 'omitempty'],
        ['chunk_max_size', t.indexStats?.chunkMaxSize, 'omitempty'],
      ]),
    ],
    ['extensions', t.extensions ?? undefined],
    ['upload_time', t.uploadTime ?? GO_ZERO_TIME],
  ]);
}

/**
 * meta.json bytes exactly as the Go writers produce them: tab-indented, Go field order,
 * `omitempty` honoured. Without a Thanos section this is Prometheus' `MarshalIndent`
 * (no trailing newline); with one it is Thanos' `json.Encoder` output (trailing newline).
 */
export function encodeBlockMeta(meta: BlockMeta): string {
  const s = meta.stats;
  const c = meta.compaction;
  const json = struct([
    ['ulid', meta.ulid],
    ['minTime', meta.minTime],
    ['maxTime', meta.maxTime],
    [
      'stats',
      struct([
        ['numSamples', s.numSamples, 'omitempty'],
        ['numFloatSamples', s.numFloatSamples, 'omitempty'],
        ['numHistogramSamples', s.numHistogramSamples, 'omitempty'],
        ['numSeries', s.numSeries, 'omitempty'],
        ['numChunks', s.numChunks, 'omitempty'],
        ['numTombstones', s.numTombstones, 'omitempty'],
      ]),
    ],
    [
      'compaction',
      struct([
        ['level', c.level],
        ['sources', c.sources, 'omitempty'],
        ['deletable', c.deletable, 'omitempty'],
        ['parents', c.parents?.map(blockDescJson), 'omitempty'],
        ['failed', c.failed, 'omitempty'],
        ['hints', c.hints, 'omitempty'],
      ]),
    ],
    ['version', meta.version],
    ['thanos', meta.thanos && thanosJson(meta.thanos)],
  ]);
  const text = goJsonIndent(json);
  return meta.thanos ? text + '\n' : text;
}

/** Reads and parses `<dir>/meta.json`; errors name the file. */
export function readBlockMeta(dir: string): BlockMeta {
  const path = join(dir, META_FILENAME);
  try {
    return parseBlockMeta(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof BlockMetaError) throw new BlockMetaError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Writes `<dir>/meta.json` atomically (temporary file, then rename); returns the bytes written. */
export function writeBlockMeta(dir: string, meta: BlockMeta): number {
  const path = join(dir, META_FILENAME);
  const bytes = Buffer.from(encodeBlockMeta(meta), 'utf8');
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  return bytes.length;
}

/** Formats a millisecond time as Go's `time.Time` JSON (RFC 3339, UTC, fraction without trailing zeros). */
export function formatGoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
