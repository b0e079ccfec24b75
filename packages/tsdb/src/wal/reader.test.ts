// Torn tails and corruption: what a crash leaves is repairable, anything else is an error.
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptionError } from '../encoding';
import { PAGE_SIZE } from './layout';
import { WalReader, type WalReaderOptions } from './reader';
import { repairWal } from './replay';
import { WalWriter } from './writer';

const MAIN = join(fixturesDir, 'wal', 'main', 'wal', '00000000');
const BIG = join(fixturesDir, 'wal', 'big-multipage-uncompressed', 'wal', '00000000');
/** Offsets of the last two records of `main` (from expected-records.jsonl) and of the 3-fragment record of `big`. */
const MAIN_LAST = 3615;
const MAIN_BEFORE_LAST = 3573;
const BIG_LAST = 4008;

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));
function walDir(): string {
  const d = tempDir('wal-reader-');
  cleanups.push(d.cleanup);
  return d.path;
}

interface ReadResult {
  offsets: number[];
  torn?: { segment: number; offset: number; reason: string };
}

function read(dir: string, options?: WalReaderOptions): ReadResult {
  const reader = WalReader.open(dir, options);
  const offsets: number[] = [];
  for (let r = reader.next(); r; r = reader.next()) offsets.push(r.segment * 1e6 + r.offset);
  const t = reader.tornTail;
  return { offsets, torn: t && { segment: t.segment, offset: t.offset, reason: t.reason } };
}

function readError(dir: string): CorruptionError {
  try {
    read(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(CorruptionError);
    return err as CorruptionError;
  }
  throw new Error('expected a CorruptionError');
}

describe('torn tail', () => {
  it.each([
    ['main (one compressed fragment)', MAIN, MAIN_LAST, 1],
    ['big-multipage (first/middle/last fragments)', BIG, BIG_LAST, 101],
  ])('%s: cuts inside the last record are reported at the record start', (_, file, lastStart, stride) => {
    const bytes = readFileSync(file);
    const dir = walDir();
    const seg = join(dir, '00000000');
    writeFileSync(seg, bytes);
    const intact = read(dir).offsets;
    const before = intact.slice(0, -1);
    expect(intact.at(-1)).toBe(lastStart);
    // Every byte around the last fragment's header and of its last 100 bytes; every
    // `stride`-th byte elsewhere in the record. Cutting shorter and shorter avoids rewriting the file.
    const lastFragment = bytes.length - ((bytes.length - 1) % PAGE_SIZE) - 1;
    const cuts: number[] = [];
    for (let cut = bytes.length - 1; cut > lastStart; cut--) {
      const nearEdge = Math.abs(cut - lastFragment) < 107 || cut > bytes.length - 100 || cut < lastStart + 100;
      if (nearEdge || cut % stride === 0) cuts.push(cut);
    }
    for (const cut of cuts) {
      truncateSync(seg, cut);
      const got = read(dir);
      if (got.offsets.length !== before.length || got.torn?.offset !== lastStart) {
        expect({ cut, ...got }).toEqual({ cut, offsets: before, torn: expect.objectContaining({ offset: lastStart }) });
      }
    }
    expect(cuts.length).toBeGreaterThan(20);
  });

  it('treats a tail that was zeroed or has a bad checksum at the end as torn', () => {
    const bytes = readFileSync(MAIN);
    const dir = walDir();
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0, MAIN_LAST + 10);
    writeFileSync(join(dir, '00000000'), zeroed);
    expect(read(dir).torn).toMatchObject({ offset: MAIN_LAST, reason: expect.stringContaining('checksum') });
    const badCrc = Buffer.from(bytes);
    badCrc[MAIN_LAST + 3] ^= 0xff;
    writeFileSync(join(dir, '00000000'), badCrc);
    expect(read(dir).torn).toMatchObject({ offset: MAIN_LAST, reason: expect.stringContaining('checksum') });
  });

  it('is an error when the caller does not tolerate torn tails', () => {
    const dir = walDir();
    writeFileSync(join(dir, '00000000'), readFileSync(MAIN).subarray(0, MAIN_LAST + 9));
    expect(() => read(dir, { tolerateTornTail: false })).toThrow(CorruptionError);
  });

  it('is tolerated when only empty segments follow, not when data does', () => {
    const torn = readFileSync(MAIN).subarray(0, MAIN_LAST + 9);
    const dir = walDir();
    writeFileSync(join(dir, '00000000'), torn);
    writeFileSync(join(dir, '00000001'), new Uint8Array(0));
    expect(read(dir).torn).toMatchObject({ segment: 0, offset: MAIN_LAST });
    copyFileSync(MAIN, join(dir, '00000001'));
    const err = readError(dir);
    expect(err.file).toBe(join(dir, '00000000'));
    expect(err.offset).toBe(MAIN_LAST);
  });

  it('repairWal truncates the torn record, and a writer continues after it', async () => {
    const dir = walDir();
    writeFileSync(join(dir, '00000000'), readFileSync(BIG).subarray(0, PAGE_SIZE + 100));
    const tail = repairWal(dir);
    expect(tail).toMatchObject({ segment: 0, offset: BIG_LAST });
    expect(readFileSync(join(dir, '00000000')).length).toBe(BIG_LAST);
    const wal = WalWriter.open(dir);
    wal.log(new Uint8Array([2]));
    await wal.close();
    const after = read(dir);
    expect(after.torn).toBeUndefined();
    expect(after.offsets).toEqual([0, 1e6]);
    expect(repairWal(dir)).toBeUndefined();
  });
});

describe('corruption', () => {
  function corrupted(patch: (b: Buffer) => void): string {
    const bytes = Buffer.from(readFileSync(MAIN));
    patch(bytes);
    const dir = walDir();
    writeFileSync(join(dir, '00000000'), bytes);
    return dir;
  }

  it('a flipped data byte in the middle names the segment file and the fragment offset', () => {
    const dir = corrupted((b) => (b[MAIN_BEFORE_LAST + 12] ^= 0x01));
    const err = readError(dir);
    expect(err.file).toBe(join(dir, '00000000'));
    expect(err.offset).toBe(MAIN_BEFORE_LAST);
    expect(err.message).toMatch(/00000000 at offset 3573: fragment checksum mismatch/);
  });

  it('a flipped CRC in the middle is an error', () => {
    const err = readError(corrupted((b) => (b[MAIN_BEFORE_LAST + 5] ^= 0x80)));
    expect(err.offset).toBe(MAIN_BEFORE_LAST);
  });

  it('an invalid fragment type or a continuation without a start is an error', () => {
    expect(readError(corrupted((b) => (b[MAIN_BEFORE_LAST] = 0x07))).reason).toMatch(/invalid fragment header/);
    expect(readError(corrupted((b) => (b[MAIN_BEFORE_LAST] = 0x0c))).reason).toMatch(/without a first fragment/);
  });

  it('non-zero bytes in page padding are an error', async () => {
    const dir = walDir();
    mkdirSync(dir, { recursive: true });
    const wal = WalWriter.open(dir, { compress: false });
    wal.log(new Uint8Array(PAGE_SIZE - 7 - 3), new Uint8Array([1, 2, 3]));
    await wal.close();
    const seg = join(dir, '00000000');
    const bytes = readFileSync(seg);
    expect([...bytes.subarray(PAGE_SIZE - 3, PAGE_SIZE)]).toEqual([0, 0, 0]);
    bytes[PAGE_SIZE - 2] = 0x11;
    writeFileSync(seg, bytes);
    expect(readError(dir).reason).toMatch(/non-zero byte in page padding/);
  });

  it('a length field beyond the page is an error, never a large allocation', () => {
    const err = readError(
      corrupted((b) => {
        b[MAIN_BEFORE_LAST + 1] = 0xff;
        b[MAIN_BEFORE_LAST + 2] = 0xff;
      }),
    );
    expect(err.reason).toMatch(/crosses the page boundary/);
  });
});
