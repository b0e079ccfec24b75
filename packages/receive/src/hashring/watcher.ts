import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SeriesHasher } from './hasher';
import { loadHashrings, type LoadedHashrings } from './load';
import type { HashringBuildOptions } from './multi';

/** Thanos `--receive.hashrings-file-refresh-interval` default. */
export const DEFAULT_HASHRINGS_REFRESH_INTERVAL_MS = 5 * 60_000;

export interface HashringsUpdate extends LoadedHashrings {
  /** 1 for the first configuration loaded, +1 for every change after it. */
  version: number;
  /** SHA-256 (hex) of the file content. */
  sha256: string;
}

export interface HashringsFileWatcherOptions extends HashringBuildOptions {
  /** `--receive.hashrings-file`. */
  path: string;
  hasher: SeriesHasher;
  /** Re-read period, a fallback for missed file events (default 5 minutes). */
  refreshIntervalMs?: number;
  /** Listen to file-system events (default true; off for file systems without them, e.g. some NFS). */
  fileEvents?: boolean;
  /** Called with every new configuration, the first one included (before `start` resolves). */
  onChange: (update: HashringsUpdate) => void;
  /** A changed file that cannot be read or used; the previous configuration stays in force. */
  onError: (err: Error) => void;
  /** Non-fatal findings of a loaded configuration. */
  onWarning?: (message: string) => void;
}

/**
 * Follows the hashrings file: reloads it on file-system events in its directory (editors and
 * Kubernetes ConfigMaps replace files by renaming, which a watch on the file itself misses)
 * and every refresh interval; identical content (SHA-256) is ignored. A bad new file is
 * reported through `onError` and the last good configuration is kept.
 */
export class HashringsFileWatcher {
  private current: HashringsUpdate | undefined;
  /** Content hash or read error of the last attempt, so an unchanged problem is reported once. */
  private lastSeen = '';
  private fsWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private closed = false;
  /** Why the first load failed (reported by `start` instead of `onError`). */
  private startError: Error | undefined;

  private constructor(private readonly options: HashringsFileWatcherOptions) {}

  /** Loads the file (rejecting when it is unusable, as Thanos refuses to start) and starts watching. */
  static async start(options: HashringsFileWatcherOptions): Promise<HashringsFileWatcher> {
    const watcher = new HashringsFileWatcher(options);
    watcher.watch();
    await watcher.refresh();
    if (watcher.current === undefined) {
      watcher.close();
      throw watcher.startError;
    }
    return watcher;
  }

  /** The configuration in force. */
  get latest(): HashringsUpdate {
    return this.current!;
  }

  /** Re-reads the file now; resolves when that check (and any queued behind it) is done. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        await this.check();
      } while (this.rerun && !this.closed);
      this.running = undefined;
    })();
    return this.running;
  }

  /** Stops watching (the watch and timer keep the process alive until then); no callback fires afterwards. */
  close(): void {
    this.closed = true;
    this.fsWatcher?.close();
    clearInterval(this.timer);
    this.fsWatcher = undefined;
    this.timer = undefined;
  }

  private watch(): void {
    if (this.options.fileEvents ?? true) {
      try {
        this.fsWatcher = watch(dirname(this.options.path), () => void this.refresh());
        this.fsWatcher.on('error', (err) => this.report(`watch:${err.message}`, err));
      } catch (err) {
        this.report(`watch:${(err as Error).message}`, err as Error);
      }
    }
    const interval = this.options.refreshIntervalMs ?? DEFAULT_HASHRINGS_REFRESH_INTERVAL_MS;
    this.timer = setInterval(() => void this.refresh(), interval);
  }

  private async check(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.options.path, 'utf8');
    } catch (err) {
      this.report(`read:${(err as Error).message}`, err as Error);
      return;
    }
    const hash = sha256(text);
    if (this.closed || hash === this.lastSeen) return;
    if (hash !== this.current?.sha256) {
      let loaded: LoadedHashrings;
      try {
        loaded = loadHashrings(text, this.options.path, this.options, this.options.hasher);
      } catch (err) {
        this.report(hash, err as Error);
        return;
      }
      this.current = { ...loaded, version: (this.current?.version ?? 0) + 1, sha256: hash };
      for (const warning of loaded.warnings) this.options.onWarning?.(warning);
      this.options.onChange(this.current);
    }
    this.lastSeen = hash;
  }

  private report(key: string, err: Error): void {
    if (this.closed || key === this.lastSeen) return;
    this.lastSeen = key;
    if (this.current === undefined) this.startError = err;
    else this.options.onError(err);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
