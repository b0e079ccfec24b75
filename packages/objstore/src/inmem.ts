import { Readable } from 'node:stream';
import { BaseBucket, checkObjectName, checkRange, dirPrefix, listingOf } from './bucket';
import type { IterOptions, ObjectAttributes, UploadBody } from './bucket';
import { bodyToBytes, sliceRange } from './body';
import { ObjectNotFoundError } from './errors';

interface StoredObject {
  bytes: Uint8Array;
  lastModified: Date;
}

/** A bucket held in memory, for tests and the `IN-MEMORY` config type. */
export class InMemoryBucket extends BaseBucket {
  private readonly objects = new Map<string, StoredObject>();

  constructor(readonly name = 'inmem') {
    super();
  }

  private lookup(name: string): StoredObject {
    checkObjectName(name);
    const obj = this.objects.get(name);
    if (!obj) throw new ObjectNotFoundError(this.name, name);
    return obj;
  }

  async get(name: string): Promise<Uint8Array> {
    return this.lookup(name).bytes.slice();
  }

  async getStream(name: string): Promise<Readable> {
    return Readable.from([Buffer.from(this.lookup(name).bytes)]);
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(name, offset, length);
    return sliceRange(this.lookup(name).bytes, offset, length);
  }

  async upload(name: string, body: UploadBody): Promise<void> {
    checkObjectName(name);
    const bytes = await bodyToBytes(body);
    this.objects.set(name, { bytes: Uint8Array.from(bytes), lastModified: new Date() });
  }

  async delete(name: string): Promise<void> {
    checkObjectName(name);
    this.objects.delete(name);
  }

  override async exists(name: string): Promise<boolean> {
    checkObjectName(name);
    return this.objects.has(name);
  }

  async *iterate(dir: string, options?: IterOptions): AsyncIterable<string> {
    const names = [...this.objects.keys()].sort();
    yield* listingOf(names, dirPrefix(dir), options?.recursive ?? false);
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    const obj = this.lookup(name);
    return { size: obj.bytes.length, lastModified: obj.lastModified };
  }

  /** Names of all stored objects, sorted (a test convenience). */
  objectNames(): string[] {
    return [...this.objects.keys()].sort();
  }
}
