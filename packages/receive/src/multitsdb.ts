import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Tsdb, type TsdbOptions } from '@thanos-ts/tsdb';
import { mapLimit, type Logger } from '@thanos-ts/runtime';
import { isValidTenant } from './tenancy';

/**
 * One TSDB per tenant under `<base>/<tenant>/`: those on disk are opened at start, others on
 * first write (WAL replay included). Concurrent first writes of a tenant wait for the same open.
 */
export class MultiTsdb {
  private readonly open = new Map<string, Promise<Tsdb>>();
  private readonly ready = new Map<string, Tsdb>();

  constructor(
    readonly basePath: string,
    private readonly options: TsdbOptions,
    private readonly logger: Logger,
  ) {}

  /** Tenants being deleted: their next use waits for the deletion, then opens a fresh TSDB. */
  private readonly pruning = new Map<string, Promise<void>>();

  /** The tenant's TSDB, opening it if needed. */
  tenant(name: string): Promise<Tsdb> | Tsdb {
    const db = this.ready.get(name);
    if (db) return db;
    const pruned = this.pruning.get(name);
    if (pruned) return pruned.then(() => this.tenant(name));
    let p = this.open.get(name);
    if (!p) {
      const log = this.logger.with({ tenant: name });
      log.info('opening TSDB');
      p = Tsdb.open(join(this.basePath, name), { ...this.options, logger: log }).then((d) => {
        this.ready.set(name, d);
        return d;
      });
      p.catch(() => this.open.delete(name));
      this.open.set(name, p);
    }
    return p;
  }

  /**
   * Opens the TSDB of every tenant directory under the base path (as Thanos does at start), so
   * that a tenant that sends nothing after a restart is still served, compacted and shipped.
   * `skip` names directories that are not tenants.
   */
  async openExisting(skip: ReadonlySet<string>): Promise<void> {
    const entries = await readdir(this.basePath, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const names = entries.filter((e) => e.isDirectory() && !skip.has(e.name) && isValidTenant(e.name));
    await mapLimit(names, 4, async (e) => this.tenant(e.name));
  }

  /** Closes a tenant's TSDB and deletes its directory, WAL included (Thanos's tenant pruning). */
  async prune(name: string): Promise<void> {
    const db = this.ready.get(name);
    if (!db) return;
    this.ready.delete(name);
    this.open.delete(name);
    const done = (async () => {
      await db.close();
      await rm(join(this.basePath, name), { recursive: true, force: true });
    })();
    this.pruning.set(name, done);
    try {
      await done;
    } finally {
      this.pruning.delete(name);
    }
  }

  /** Tenants whose TSDB is open. */
  tenants(): Array<[string, Tsdb]> {
    return [...this.ready.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.open.values());
    for (const db of this.ready.values()) await db.close();
    this.ready.clear();
    this.open.clear();
  }
}
