import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@thanos-ts/runtime';
import { tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerSpill } from './spill';

const logger = createLogger({ level: 'error' });
const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function record(i: number, size = 100): Uint8Array {
  return new Uint8Array(size).fill(i & 0xff);
}

function drain(spill: PeerSpill): number[] {
  const out: number[] = [];
  for (let r = spill.peek(); r !== undefined; r = spill.peek()) {
    out.push(r.data[0]);
    spill.advance(r);
  }
  return out;
}

describe('PeerSpill', () => {
  it('replays records in order, across reopening, and removes delivered segments', () => {
    const dir = tempDir('spill-');
    dirs.push(dir);
    const spill = PeerSpill.open(dir.path, 1 << 20, logger, { dropped: () => {} });
    for (let i = 0; i < 5; i++) spill.append(record(i));
    expect(spill.records).toBe(5);
    expect(spill.bytes).toBe(5 * 108);
    const first = spill.peek()!;
    spill.advance(first);
    spill.close();

    const again = PeerSpill.open(dir.path, 1 << 20, logger, { dropped: () => {} });
    // Replay position is not persisted: a restart re-sends from the segment start (duplicates are harmless).
    expect(again.records).toBe(5);
    again.append(record(5));
    expect(drain(again)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(again.empty).toBe(true);
    expect(readdirSync(dir.path)).toEqual([]);
    again.close();
  });

  it('hands out consecutive records in batches bounded by bytes', () => {
    const dir = tempDir('spill-');
    dirs.push(dir);
    const spill = PeerSpill.open(dir.path, 1 << 20, logger, { dropped: () => {} });
    for (let i = 0; i < 5; i++) spill.append(record(i));
    const batch = spill.peekBatch(250);
    expect(batch.map((r) => r.data[0])).toEqual([0, 1]);
    for (const r of batch) spill.advance(r);
    expect(spill.peekBatch(1).map((r) => r.data[0])).toEqual([2]);
    expect(spill.records).toBe(3);
    spill.close();
  });

  it('drops the oldest segments when full and counts the dropped records', () => {
    const dir = tempDir('spill-');
    dirs.push(dir);
    let dropped = 0;
    // 512 KiB bound: 64 KiB segments of 6 records of 10 KiB
    const spill = PeerSpill.open(dir.path, 512 * 1024, logger, { dropped: (n) => (dropped += n) });
    for (let i = 0; i < 100; i++) spill.append(record(i, 10_000));
    expect(spill.bytes).toBeLessThanOrEqual(512 * 1024);
    expect(dropped + spill.records).toBe(100);
    expect(dropped).toBeGreaterThan(0);
    const kept = spill.records;
    // what is left is the newest records, in order
    expect(drain(spill)).toEqual(Array.from({ length: kept }, (_, k) => 100 - kept + k));
    spill.close();
  });

  it('truncates a torn last record and keeps the intact ones', () => {
    const dir = tempDir('spill-');
    dirs.push(dir);
    const spill = PeerSpill.open(dir.path, 1 << 20, logger, { dropped: () => {} });
    spill.append(record(1));
    spill.append(record(2));
    spill.close();
    const [file] = readdirSync(dir.path);
    appendFileSync(join(dir.path, file), new Uint8Array([50, 0, 0, 0, 1, 2, 3]));
    const again = PeerSpill.open(dir.path, 1 << 20, logger, { dropped: () => {} });
    expect(drain(again)).toEqual([1, 2]);
    again.close();
  });
});
