import type { Readable } from 'node:stream';
import { BaseBucket, checkObjectName, dirPrefix } from './bucket';
import type { Bucket, IterOptions, ObjectAttributes, UploadBody } from './bucket';
import { ObjectNotFoundError, isObjNotFoundErr } from './errors';

/** Normalises a config `prefix` the way Thanos does: no leading or trailing slashes. */
export function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

/** Confines a bucket to `prefix/`: all names the caller sees are relative to it. */
export class PrefixedBucket extends BaseBucket {
  private readonly prefix: string;

  constructor(
    private readonly inner: Bucket,
    prefix: string,
  ) {
    super();
    this.prefix = `${normalizePrefix(prefix)}/`;
  }

  get name(): string {
    return this.inner.name;
  }

  private full(name: string): string {
    checkObjectName(name);
    return this.prefix + name.replace(/^\/+/, '');
  }

  /** Re-labels not-found errors with the caller's name, not the prefixed one. */
  private async call<T>(name: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isObjNotFoundErr(err)) throw new ObjectNotFoundError(err.bucket, name, { cause: err });
      throw err;
    }
  }

  get(name: string): Promise<Uint8Array> {
    return this.call(name, () => this.inner.get(this.full(name)));
  }
  getStream(name: string): Promise<Readable> {
    return this.call(name, () => this.inner.getStream(this.full(name)));
  }
  getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    return this.call(name, () => this.inner.getRange(this.full(name), offset, length));
  }
  upload(name: string, body: UploadBody): Promise<void> {
    return this.inner.upload(this.full(name), body);
  }
  delete(name: string): Promise<void> {
    return this.inner.delete(this.full(name));
  }
  override exists(name: string): Promise<boolean> {
    return this.inner.exists(this.full(name));
  }
  attributes(name: string): Promise<ObjectAttributes> {
    return this.call(name, () => this.inner.attributes(this.full(name)));
  }

  async *iterate(dir: string, options?: IterOptions): AsyncIterable<string> {
    for await (const name of this.inner.iterate(this.prefix + dirPrefix(dir), options)) {
      yield name.slice(this.prefix.length);
    }
  }

  override close(): Promise<void> {
    return this.inner.close();
  }
}
