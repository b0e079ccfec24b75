import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { CorruptionError, crc32c } from '../encoding';
import {
  TombstoneSet,
  addInterval,
  decodeTombstones,
  encodeTombstones,
  readTombstones,
  writeTombstones,
  type Interval,
} from './index';

const blocksDir = join(fixturesDir, 'openmetrics-blocks/blocks');

describe('intervals', () => {
  const add = (list: Interval[], mint: number, maxt: number): Interval[] => addInterval(list, { mint, maxt });

  it('merge overlapping and touching ranges and keep the rest sorted', () => {
    const list: Interval[] = [];
    add(list, 10, 20);
    add(list, 40, 50);
    add(list, 0, 5);
    expect(list).toEqual([
      { mint: 0, maxt: 5 },
      { mint: 10, maxt: 20 },
      { mint: 40, maxt: 50 },
    ]);
    add(list, 21, 22); // touches [10,20]
    add(list, 6, 9); // bridges [0,5] and [10,22]
    expect(list).toEqual([
      { mint: 0, maxt: 22 },
      { mint: 40, maxt: 50 },
    ]);
    add(list, -100, 100);
    expect(list).toEqual([{ mint: -100, maxt: 100 }]);
    add(list, 102, 103);
    add(list, Number.MIN_SAFE_INTEGER, -200);
    expect(list).toEqual([
      { mint: Number.MIN_SAFE_INTEGER, maxt: -200 },
      { mint: -100, maxt: 100 },
      { mint: 102, maxt: 103 },
    ]);
  });
});

describe('TombstoneSet', () => {
  it('answers isDeleted per series with inclusive bounds', () => {
    const set = new TombstoneSet();
    set.add(16, { mint: 100, maxt: 200 }, { mint: 300, maxt: 300 });
    set.add(32, { mint: 0, maxt: 10 });
    expect([99, 100, 200, 201, 300, 301].map((t) => set.isDeleted(16, t))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(set.isDeleted(48, 100)).toBe(false);
    expect(set.total).toBe(3);
    set.truncateBefore(250);
    expect(set.get(16)).toEqual([{ mint: 300, maxt: 300 }]);
    expect(set.get(32)).toEqual([]);
    expect(set.seriesCount).toBe(1);
    set.add(64, { mint: 5, maxt: 4 });
    expect(set.seriesCount).toBe(1);
    set.deleteSeries([16]);
    expect(set.total).toBe(0);
  });
});

describe('tombstones file', () => {
  it.each(readdirSync(blocksDir))('reads the empty tombstones of fixture block %s', (block) => {
    const { tombstones, size } = readTombstones(join(blocksDir, block));
    expect(size).toBe(9);
    expect(tombstones.total).toBe(0);
    expect(encodeTombstones(tombstones)).toEqual(new Uint8Array(readFileSync(join(blocksDir, block, 'tombstones'))));
  });

  it('round-trips intervals through a file, including negative times', () => {
    const set = new TombstoneSet();
    set.add(2 ** 40, { mint: -86_400_000, maxt: -1 });
    set.add(16, { mint: 1700000010000, maxt: 1700000020000 }, { mint: 1700000030000, maxt: 1700000040000 });
    const dir = tempDir('tombstones-test');
    try {
      const size = writeTombstones(dir.path, set);
      expect(size).toBe(readFileSync(join(dir.path, 'tombstones')).length);
      const back = readTombstones(dir.path).tombstones;
      expect(back.entries()).toEqual(set.entries());
      expect(back.isDeleted(16, 1700000015000)).toBe(true);
      expect(readdirSync(dir.path)).toEqual(['tombstones']);
    } finally {
      dir.cleanup();
    }
  });

  it('encodes entries as uvarint ref, zigzag mint, zigzag maxt with a CRC over them', () => {
    const set = new TombstoneSet();
    set.add(1, { mint: -1, maxt: 1 });
    const b = encodeTombstones(set);
    expect(Buffer.from(b).toString('hex')).toBe('0130ba3001' + '010102' + Buffer.from(b.subarray(8)).toString('hex'));
    expect(b.length).toBe(12);
  });

  it('treats a missing file as no tombstones', () => {
    const dir = tempDir('tombstones-missing');
    try {
      expect(readTombstones(dir.path)).toMatchObject({ size: 0 });
    } finally {
      dir.cleanup();
    }
  });

  it('rejects bad magic, version, checksum and truncation with the file name', () => {
    const set = new TombstoneSet();
    set.add(7, { mint: 1, maxt: 2 });
    const good = encodeTombstones(set);
    const corrupt = (i: number): Uint8Array => {
      const b = good.slice();
      b[i] ^= 1;
      return b;
    };
    expect(() => decodeTombstones(corrupt(0), 'x/tombstones')).toThrow(
      /x\/tombstones at offset 0: invalid tombstones magic/,
    );
    expect(() => decodeTombstones(corrupt(4))).toThrow(/version/);
    expect(() => decodeTombstones(corrupt(6))).toThrow(/checksum mismatch/);
    expect(() => decodeTombstones(corrupt(good.length - 1))).toThrow(CorruptionError);
    expect(() => decodeTombstones(good.subarray(0, 8))).toThrow(CorruptionError);
    // A truncated entry with a matching CRC is still reported, not misread.
    const dir = tempDir('tombstones-bad');
    try {
      const b = new Uint8Array([0x01, 0x30, 0xba, 0x30, 1, 0x80, 0, 0, 0, 0]);
      new DataView(b.buffer).setUint32(6, crc32c(b, 5, 6));
      writeFileSync(join(dir.path, 'tombstones'), b);
      expect(() => readTombstones(dir.path)).toThrow(/unexpected end of data in varint/);
    } finally {
      dir.cleanup();
    }
  });
});
