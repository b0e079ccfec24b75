/** Callbacks a cache reports to (metrics). */
export interface CacheObserver {
  request(key: string, hit: boolean): void;
  added(key: string, bytes: number): void;
  evicted(key: string, bytes: number): void;
}

const nopObserver: CacheObserver = { request() {}, added() {}, evicted() {} };

/**
 * A least-recently-used map bounded by the total size of its values in bytes. An item
 * larger than the whole budget is never stored (Thanos's in-memory index cache rule).
 */
export class ByteLruCache<V> {
  private readonly items = new Map<string, { value: V; bytes: number }>();
  private used = 0;

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V, key: string) => number,
    private readonly observer: CacheObserver = nopObserver,
  ) {}

  get size(): number {
    return this.items.size;
  }

  get bytes(): number {
    return this.used;
  }

  get(key: string): V | undefined {
    const e = this.items.get(key);
    this.observer.request(key, e !== undefined);
    if (e === undefined) return undefined;
    // Re-inserting moves the key to the young end of the Map's insertion order.
    this.items.delete(key);
    this.items.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    const bytes = this.sizeOf(value, key);
    if (bytes > this.maxBytes) return;
    const old = this.items.get(key);
    if (old !== undefined) {
      this.items.delete(key);
      this.used -= old.bytes;
    }
    while (this.used + bytes > this.maxBytes) {
      const oldest = this.items.keys().next();
      if (oldest.done) break;
      const e = this.items.get(oldest.value)!;
      this.items.delete(oldest.value);
      this.used -= e.bytes;
      this.observer.evicted(oldest.value, e.bytes);
    }
    this.items.set(key, { value, bytes });
    this.used += bytes;
    this.observer.added(key, bytes);
  }

  /** Drops every key starting with `prefix` (a block's entries when it is unloaded). */
  deletePrefix(prefix: string): void {
    for (const [key, e] of this.items) {
      if (!key.startsWith(prefix)) continue;
      this.items.delete(key);
      this.used -= e.bytes;
      this.observer.evicted(key, e.bytes);
    }
  }
}
