import type { Readable } from 'node:stream';
import { ObjectNotFoundError } from './errors';

/** Body of an upload: bytes, a stream, or the path of a local file (re-readable, so retries can replay it). */
export type UploadBody = Uint8Array | Readable | string;

export interface IterOptions {
  /** List every object below `dir` instead of its direct children (directories are then never reported). */
  recursive?: boolean;
}

export interface ObjectAttributes {
  size: number;
  lastModified: Date;
}

export type IterCallback = (name: string) => void | Promise<void>;

/**
 * An object store bucket with Thanos objstore semantics. Names are relative to the bucket
 * root and use `/` as separator; a non-recursive listing reports sub-directories with a
 * trailing `/`. Missing objects raise `ObjectNotFoundError`; deleting a missing object is a no-op.
 */
export interface Bucket {
  /** The bucket name used as the `bucket` metrics label. */
  readonly name: string;
  get(name: string): Promise<Uint8Array>;
  getStream(name: string): Promise<Readable>;
  /** `length` -1 reads to the end; an offset at or past the end yields no bytes. */
  getRange(name: string, offset: number, length: number): Promise<Uint8Array>;
  upload(name: string, body: UploadBody): Promise<void>;
  delete(name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
  /** Calls `cb` for each entry under `dir` (`""` = root) in lexical order; an error from `cb` stops the walk. */
  iter(dir: string, cb: IterCallback, options?: IterOptions): Promise<void>;
  /** The same listing as `iter`, as an async iterator. */
  iterate(dir: string, options?: IterOptions): AsyncIterable<string>;
  attributes(name: string): Promise<ObjectAttributes>;
  close(): Promise<void>;
}

/** Shared pieces of every provider: `iter` on top of `iterate`, and argument checks. */
export abstract class BaseBucket implements Bucket {
  abstract readonly name: string;
  abstract get(name: string): Promise<Uint8Array>;
  abstract getStream(name: string): Promise<Readable>;
  abstract getRange(name: string, offset: number, length: number): Promise<Uint8Array>;
  abstract upload(name: string, body: UploadBody): Promise<void>;
  abstract delete(name: string): Promise<void>;
  abstract iterate(dir: string, options?: IterOptions): AsyncIterable<string>;
  abstract attributes(name: string): Promise<ObjectAttributes>;

  /** Whether the object exists, by asking for its attributes; providers with a cheaper check override it. */
  async exists(name: string): Promise<boolean> {
    try {
      await this.attributes(name);
      return true;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
  }

  async iter(dir: string, cb: IterCallback, options?: IterOptions): Promise<void> {
    for await (const name of this.iterate(dir, options)) await cb(name);
  }

  async close(): Promise<void> {}
}

/** The listing prefix Thanos derives from a directory argument: `""` or `dir/`. */
export function dirPrefix(dir: string): string {
  const trimmed = dir.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

export function checkObjectName(name: string): void {
  if (name === '') throw new TypeError('object name is empty');
}

export function checkRange(name: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid offset ${offset} reading "${name}"`);
  if (!Number.isSafeInteger(length) || length < -1)
    throw new RangeError(`invalid length ${length} reading "${name}" (use -1 for "to the end")`);
}

/**
 * Turns a sorted list of full object names into a Thanos listing of `prefix`: all names when
 * recursive, else direct children plus each sub-directory once, as `sub/`.
 */
export function* listingOf(sortedNames: Iterable<string>, prefix: string, recursive: boolean): Generator<string> {
  let lastDir = '';
  for (const name of sortedNames) {
    if (!name.startsWith(prefix) || name === prefix) continue;
    if (recursive) {
      yield name;
      continue;
    }
    const slash = name.indexOf('/', prefix.length);
    if (slash < 0) {
      yield name;
      continue;
    }
    const dir = name.slice(0, slash + 1);
    if (dir !== lastDir) {
      lastDir = dir;
      yield dir;
    }
  }
}
