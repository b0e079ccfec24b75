import { createWriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BaseBucket, checkObjectName, checkRange, dirPrefix } from './bucket';
import type { IterOptions, ObjectAttributes, UploadBody } from './bucket';
import { isFilePath } from './body';
import { ObjectNotFoundError } from './errors';

/** Marks in-flight upload files; listings skip them so readers never see partial objects. */
const TEMP_MARKER = '.objstore-tmp-';

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A bucket in a local directory (Thanos `FILESYSTEM`). Uploads are written to a temporary
 * file beside the target and renamed into place, so an object appears complete or not at all.
 */
export class FilesystemBucket extends BaseBucket {
  readonly root: string;

  constructor(directory: string) {
    super();
    this.root = resolve(directory);
  }

  get name(): string {
    return this.root;
  }

  private pathOf(name: string): string {
    checkObjectName(name);
    const p = resolve(this.root, name);
    if (p !== this.root && !p.startsWith(this.root + sep))
      throw new TypeError(`object name "${name}" escapes the bucket`);
    return p;
  }

  private notFound(name: string, err: unknown): unknown {
    return isNotFound(err) || (err as NodeJS.ErrnoException)?.code === 'EISDIR'
      ? new ObjectNotFoundError(this.name, name, { cause: err })
      : err;
  }

  async get(name: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(name));
    } catch (err) {
      throw this.notFound(name, err);
    }
  }

  /** Opens an object for reading; a missing file or a directory is a not-found error. */
  private async openObject(name: string): Promise<{ handle: FileHandle; size: number }> {
    const handle = await open(this.pathOf(name), 'r').catch((err) => {
      throw this.notFound(name, err);
    });
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new ObjectNotFoundError(this.name, name);
    }
    return { handle, size: st.size };
  }

  async getStream(name: string): Promise<Readable> {
    // Opening first turns a missing file into a not-found error now rather than a stream error later.
    return (await this.openObject(name)).handle.createReadStream();
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(name, offset, length);
    const { handle, size } = await this.openObject(name);
    try {
      if (offset >= size) return new Uint8Array(0);
      const n = length === -1 ? size - offset : Math.min(length, size - offset);
      const buf = Buffer.alloc(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    } finally {
      await handle.close();
    }
  }

  async upload(name: string, body: UploadBody): Promise<void> {
    const target = this.pathOf(name);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
    try {
      if (isFilePath(body)) await copyFile(body, temp);
      else if (body instanceof Readable) await pipeline(body, createWriteStream(temp));
      else await writeFile(temp, body);
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    const path = this.pathOf(name);
    try {
      await unlink(path);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await this.removeEmptyParents(dirname(path));
  }

  /** Thanos removes emptied directories so listings never show empty "block dirs". */
  private async removeEmptyParents(dir: string): Promise<void> {
    while (dir !== this.root && dir.startsWith(this.root + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }

  override async exists(name: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(name))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async *iterate(dir: string, options?: IterOptions): AsyncIterable<string> {
    const prefix = dirPrefix(dir);
    const base = prefix === '' ? this.root : this.pathOf(prefix);
    yield* this.walk(base, options?.recursive ?? false);
  }

  private async *walk(dir: string, recursive: boolean): AsyncGenerator<string> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const names = entries
      .filter((e) => !e.name.startsWith(TEMP_MARKER))
      .map((e) => ({ name: e.isDirectory() ? `${e.name}/` : e.name, isDir: e.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      const full = join(dir, e.name);
      const rel = relative(this.root, full).split(sep).join('/');
      if (!e.isDir) yield rel;
      else if (recursive) yield* this.walk(full, true);
      else yield `${rel}/`;
    }
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    try {
      const st = await stat(this.pathOf(name));
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      return { size: st.size, lastModified: st.mtime };
    } catch (err) {
      throw this.notFound(name, err);
    }
  }
}
