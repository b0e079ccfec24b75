import { writeFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@thanos-ts/testkit';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HashringConfigError } from './errors';
import { createSeriesHasher, type SeriesHasher } from './hasher';
import { HashringsFileWatcher, type HashringsFileWatcherOptions, type HashringsUpdate } from './watcher';

const ring = (...endpoints: string[]) => JSON.stringify([{ hashring: 'main', endpoints }]);
const addresses = (u: HashringsUpdate) => u.hashring.endpoints.map((e) => e.address);
/**
 * The watcher's own live resources: file watches (nothing else in this file opens one) and the
 * intervals it started and has not cleared. Counting every process-wide `Timeout` instead was
 * flaky, since vitest and earlier tests own timers that come and go.
 */
function trackWatchResources(): () => Promise<number> {
  const live = new Set<unknown>();
  const realSetInterval = globalThis.setInterval;
  const realClearInterval = globalThis.clearInterval;
  vi.spyOn(globalThis, 'setInterval').mockImplementation(((...args: Parameters<typeof setInterval>) => {
    const timer = realSetInterval(...args);
    live.add(timer);
    return timer;
  }) as typeof setInterval);
  vi.spyOn(globalThis, 'clearInterval').mockImplementation((timer) => {
    live.delete(timer);
    realClearInterval(timer);
  });
  return async () => {
    // Closed watches leave the active list a few event-loop turns later.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    return live.size + process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
  };
}

describe('HashringsFileWatcher', () => {
  let hasher: SeriesHasher;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    hasher = await createSeriesHasher();
  });
  afterEach(() => {
    cleanups.splice(0).forEach((c) => c());
    vi.restoreAllMocks();
  });

  /** A watcher over a fresh file, recording its callbacks. */
  async function setup(initial: string, options: Partial<HashringsFileWatcherOptions> = {}) {
    const dir = tempDir('hashrings-');
    cleanups.push(dir.cleanup);
    const path = join(dir.path, 'hashrings.json');
    writeFileSync(path, initial);
    const updates: HashringsUpdate[] = [];
    const errors: Error[] = [];
    const watcher = await HashringsFileWatcher.start({
      path,
      hasher,
      replicationFactor: 1,
      refreshIntervalMs: 3_600_000,
      onChange: (u) => updates.push(u),
      onError: (e) => errors.push(e),
      ...options,
    });
    cleanups.push(() => watcher.close());
    return { path, dir: dir.path, watcher, updates, errors };
  }

  it('loads the file at start as version 1', async () => {
    const { watcher, updates } = await setup(ring('a:1', 'b:1'));
    expect(updates).toHaveLength(1);
    expect(watcher.latest).toBe(updates[0]);
    expect(updates[0].version).toBe(1);
    expect(addresses(updates[0])).toEqual(['a:1', 'b:1']);
  });

  it('reloads on a file-system event and bumps the version', async () => {
    const { path, updates } = await setup(ring('a:1'));
    writeFileSync(path, ring('a:1', 'c:1'));
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 10_000, interval: 20 });
    expect(updates[1].version).toBe(2);
    expect(addresses(updates[1])).toEqual(['a:1', 'c:1']);
  });

  it('sees a file replaced by rename (editors, ConfigMaps)', async () => {
    const { path, dir, updates } = await setup(ring('a:1'));
    writeFileSync(join(dir, 'next.json'), ring('d:1'));
    renameSync(join(dir, 'next.json'), path);
    await vi.waitFor(() => expect(updates.at(-1)!.hashring.endpoints[0].address).toBe('d:1'), {
      timeout: 10_000,
      interval: 20,
    });
  });

  it('reloads on the refresh interval without file events', async () => {
    const { path, updates } = await setup(ring('a:1'), { fileEvents: false, refreshIntervalMs: 20 });
    writeFileSync(path, ring('e:1'));
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 10_000, interval: 20 });
    expect(addresses(updates[1])).toEqual(['e:1']);
  });

  it('ignores a rewrite with identical content', async () => {
    const { path, watcher, updates } = await setup(ring('a:1'));
    writeFileSync(path, ring('a:1'));
    await watcher.refresh();
    expect(updates).toHaveLength(1);
  });

  it('keeps the last good ring when the new file is bad, reports it once, then takes the next good one', async () => {
    const { path, watcher, updates, errors } = await setup(ring('a:1'), { fileEvents: false });
    writeFileSync(path, '[{"endpoints": ["a:1",]}]');
    await watcher.refresh();
    await watcher.refresh();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HashringConfigError);
    expect(errors[0].message).toContain(`${path}: invalid JSON at line 1, column 23`);
    expect(watcher.latest.version).toBe(1);
    expect(addresses(watcher.latest)).toEqual(['a:1']);

    writeFileSync(path, JSON.stringify([{ endpoints: ['a:1'] }, { endpoints: ['x:1', 'x:1'] }]));
    await watcher.refresh();
    expect(errors[1].message).toMatch(/hashring #2: endpoint "x:1" is listed twice/);

    rmSync(path);
    await watcher.refresh();
    expect(errors[2].message).toMatch(/ENOENT/);
    expect(watcher.latest.version).toBe(1);

    writeFileSync(path, ring('b:1'));
    await watcher.refresh();
    expect(updates.map((u) => u.version)).toEqual([1, 2]);
    expect(addresses(watcher.latest)).toEqual(['b:1']);
  });

  it('passes build errors and warnings through', async () => {
    const warnings: string[] = [];
    const { path, watcher, errors } = await setup(ring('a:1', 'b:1'), {
      replicationFactor: 2,
      onWarning: (w) => warnings.push(w),
    });
    writeFileSync(path, ring('a:1'));
    await watcher.refresh();
    expect(errors[0].message).toMatch(/replication factor 2 needs at least 2 endpoints, the ring has 1/);
    writeFileSync(path, JSON.stringify([{ endpoints: ['a:1', 'b:1'], typo: 1 }]));
    await watcher.refresh();
    expect(warnings).toEqual([`${path}: hashring #1: unknown field "typo" ignored`]);
  });

  it('refuses to start on a bad or missing file, leaving nothing running', async () => {
    const watchResources = trackWatchResources();
    const before = await watchResources();
    await expect(setup('[]')).rejects.toThrow(/configuration file is empty/);
    const dir = tempDir('hashrings-');
    cleanups.push(dir.cleanup);
    const missing = HashringsFileWatcher.start({
      path: join(dir.path, 'absent.json'),
      hasher,
      replicationFactor: 1,
      onChange: () => {},
      onError: () => {},
    });
    await expect(missing).rejects.toThrow(/ENOENT/);
    expect(await watchResources()).toBe(before);
  });

  it('releases its timer and file watch on close and stops calling back', async () => {
    const watchResources = trackWatchResources();
    const before = await watchResources();
    const { path, watcher, updates } = await setup(ring('a:1'));
    expect(await watchResources()).toBe(before + 2);
    watcher.close();
    expect(await watchResources()).toBe(before);
    writeFileSync(path, ring('z:1'));
    await watcher.refresh();
    expect(updates).toHaveLength(1);
  });
});
