import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import {
  BlockMetaError,
  UlidGenerator,
  encodeBlockMeta,
  encodeUlid,
  formatGoTime,
  isUlid,
  newUlid,
  parseBlockMeta,
  parseUlid,
  readBlockMeta,
  ulidTime,
  writeBlockMeta,
  type BlockMeta,
} from './index';

const blocksDir = join(fixturesDir, 'openmetrics-blocks/blocks');

describe('meta.json', () => {
  it.each(readdirSync(blocksDir))('re-serializes fixture block %s byte for byte', (ulid) => {
    const text = readFileSync(join(blocksDir, ulid, 'meta.json'), 'utf8');
    const meta = parseBlockMeta(text);
    expect(meta.ulid).toBe(ulid);
    expect(meta.compaction).toEqual({ level: 1, sources: [ulid] });
    expect(encodeBlockMeta(meta)).toBe(text);
    expect(readBlockMeta(join(blocksDir, ulid))).toEqual(meta);
  });

  const thanosMeta: BlockMeta = {
    ulid: '01JBXQ5W8Y3N7B2ZC0M4P9S6TK',
    minTime: 1730203200000,
    maxTime: 1730210400000,
    stats: { numSamples: 1234560, numSeries: 10288, numChunks: 10290, numTombstones: 2 },
    compaction: {
      level: 2,
      sources: ['01JBXQ5W8Y3N7B2ZC0M4P9S6TK', '01JBXQ5W8Y3N7B2ZC0M4P9S6TM'],
      parents: [{ ulid: '01JBXQ5W8Y3N7B2ZC0M4P9S6TM', minTime: 1, maxTime: 2 }],
    },
    version: 1,
    thanos: {
      version: 1,
      labels: { tenant_id: 'default-tenant', receive_replica: '0', odd: '<a&b>' },
      downsample: { resolution: 300000 },
      source: 'compactor',
      segmentFiles: ['000001'],
      files: [
        { relPath: 'chunks/000001', sizeBytes: 8123456 },
        { relPath: 'index', sizeBytes: 912345, hash: { func: 'SHA256', value: 'ab' } },
        { relPath: 'meta.json' },
      ],
      indexStats: { seriesMaxSize: 2048 },
      extensions: { zeta: 1, alpha: 'x' },
      uploadTime: '2024-10-29T14:05:12.123456Z',
    },
  };

  it('writes the Thanos section in Thanos field order with Go map key order and escaping', () => {
    const text = encodeBlockMeta(thanosMeta);
    expect(text).toBe(`{
\t"ulid": "01JBXQ5W8Y3N7B2ZC0M4P9S6TK",
\t"minTime": 1730203200000,
\t"maxTime": 1730210400000,
\t"stats": {
\t\t"numSamples": 1234560,
\t\t"numSeries": 10288,
\t\t"numChunks": 10290,
\t\t"numTombstones": 2
\t},
\t"compaction": {
\t\t"level": 2,
\t\t"sources": [
\t\t\t"01JBXQ5W8Y3N7B2ZC0M4P9S6TK",
\t\t\t"01JBXQ5W8Y3N7B2ZC0M4P9S6TM"
\t\t],
\t\t"parents": [
\t\t\t{
\t\t\t\t"ulid": "01JBXQ5W8Y3N7B2ZC0M4P9S6TM",
\t\t\t\t"minTime": 1,
\t\t\t\t"maxTime": 2
\t\t\t}
\t\t]
\t},
\t"version": 1,
\t"thanos": {
\t\t"version": 1,
\t\t"labels": {
\t\t\t"odd": "\\u003ca\\u0026b\\u003e",
\t\t\t"receive_replica": "0",
\t\t\t"tenant_id": "default-tenant"
\t\t},
\t\t"downsample": {
\t\t\t"resolution": 300000
\t\t},
\t\t"source": "compactor",
\t\t"segment_files": [
\t\t\t"000001"
\t\t],
\t\t"files": [
\t\t\t{
\t\t\t\t"rel_path": "chunks/000001",
\t\t\t\t"size_bytes": 8123456
\t\t\t},
\t\t\t{
\t\t\t\t"rel_path": "index",
\t\t\t\t"size_bytes": 912345,
\t\t\t\t"hash": {
\t\t\t\t\t"func": "SHA256",
\t\t\t\t\t"value": "ab"
\t\t\t\t}
\t\t\t},
\t\t\t{
\t\t\t\t"rel_path": "meta.json"
\t\t\t}
\t\t],
\t\t"index_stats": {
\t\t\t"series_max_size": 2048
\t\t},
\t\t"extensions": {
\t\t\t"alpha": "x",
\t\t\t"zeta": 1
\t\t},
\t\t"upload_time": "2024-10-29T14:05:12.123456Z"
\t}
}
`);
    expect(parseBlockMeta(text)).toEqual(thanosMeta);
    expect(encodeBlockMeta(parseBlockMeta(text))).toBe(text);
  });

  it('writes a minimal Thanos section as Go does (empty index_stats, zero upload time)', () => {
    const meta: BlockMeta = {
      ulid: '00000000050000000000000000',
      minTime: 0,
      maxTime: 10,
      stats: {},
      compaction: { level: 1 },
      version: 1,
      thanos: { labels: {}, downsample: { resolution: 0 }, source: 'receive' },
    };
    const text = encodeBlockMeta(meta);
    expect(text).toBe(
      '{\n\t"ulid": "00000000050000000000000000",\n\t"minTime": 0,\n\t"maxTime": 10,\n\t"stats": {},\n' +
        '\t"compaction": {\n\t\t"level": 1\n\t},\n\t"version": 1,\n\t"thanos": {\n\t\t"labels": {},\n' +
        '\t\t"downsample": {\n\t\t\t"resolution": 0\n\t\t},\n\t\t"source": "receive",\n\t\t"index_stats": {},\n' +
        '\t\t"upload_time": "0001-01-01T00:00:00Z"\n\t}\n}\n',
    );
    const back = parseBlockMeta(text.replace('"labels": {}', '"labels": null'));
    expect(back.thanos?.labels).toEqual({});
    expect(back.thanos?.uploadTime).toBe('0001-01-01T00:00:00Z');
  });

  it('keeps rewrites in the order Thanos wrote their fields', () => {
    const meta = structuredClone(thanosMeta);
    const text = encodeBlockMeta(meta).replace(
      '\t\t"index_stats"',
      '\t\t"rewrites": [\n\t\t\t{\n\t\t\t\t"sources": [\n\t\t\t\t\t"01JBXQ5W8Y3N7B2ZC0M4P9S6TK"\n\t\t\t\t],\n' +
        '\t\t\t\t"deletions_applied": [\n\t\t\t\t\t{\n\t\t\t\t\t\t"matchers": "{a=\\"b\\"}"\n\t\t\t\t\t}\n\t\t\t\t]\n\t\t\t}\n\t\t],\n\t\t"index_stats"',
    );
    expect(encodeBlockMeta(parseBlockMeta(text))).toBe(text);
  });

  it('rejects other versions and malformed files with a BlockMetaError', () => {
    expect(() => parseBlockMeta('{"ulid":"x","minTime":0,"maxTime":1,"version":2}')).toThrow(/version 2/);
    expect(() => parseBlockMeta('{"ulid":"x","minTime":"0","maxTime":1,"version":1}')).toThrow(BlockMetaError);
    expect(() => parseBlockMeta('{')).toThrow(/invalid JSON/);
    expect(() => parseBlockMeta('{"ulid":"x","minTime":0,"maxTime":1,"version":1,"thanos":{"version":3}}')).toThrow(
      /Thanos section version 3/,
    );
  });

  it('writes meta.json atomically and reads it back', () => {
    const dir = tempDir('meta-test');
    try {
      const n = writeBlockMeta(dir.path, thanosMeta);
      expect(readFileSync(join(dir.path, 'meta.json')).length).toBe(n);
      expect(readBlockMeta(dir.path)).toEqual(thanosMeta);
      expect(readdirSync(dir.path)).toEqual(['meta.json']);
    } finally {
      dir.cleanup();
    }
  });

  it('formats times as Go marshals time.Time', () => {
    expect(formatGoTime(Date.UTC(2024, 9, 29, 14, 5, 12, 120))).toBe('2024-10-29T14:05:12.12Z');
    expect(formatGoTime(Date.UTC(2024, 9, 29, 14, 5, 12, 0))).toBe('2024-10-29T14:05:12Z');
  });
});

describe('ULID', () => {
  it('parses the fixture block IDs and sorts them by time', () => {
    const ids = readdirSync(blocksDir).sort();
    for (const id of ids) {
      const { time, random } = parseUlid(id);
      expect(encodeUlid(time, random)).toBe(id);
    }
    // promtool made all three in one run, 54 ms apart (time decoded independently).
    expect(ids.map(ulidTime)).toEqual([1795561600796, 1795561600850, expect.any(Number)]);
    expect(ulidTime(ids[2])).toBeGreaterThan(ulidTime(ids[1]));
  });

  it('encodes known values', () => {
    expect(encodeUlid(5, new Uint8Array(10))).toBe('00000000050000000000000000');
    expect(encodeUlid(2 ** 48 - 1, new Uint8Array(10).fill(0xff))).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    const random = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parseUlid(encodeUlid(1672534050000, random)).random).toEqual(random);
    expect(parseUlid('01m87wzdrw12n1vyn3cc8x70a0').time).toBe(parseUlid('01M87WZDRW12N1VYN3CC8X70A0').time);
  });

  it('rejects malformed strings', () => {
    expect(isUlid('01M87WZDRW12N1VYN3CC8X70A')).toBe(false);
    expect(isUlid('01M87WZDRW12N1VYN3CC8X70AU')).toBe(false);
    expect(isUlid('81M87WZDRW12N1VYN3CC8X70A0')).toBe(false);
    expect(isUlid(newUlid())).toBe(true);
  });

  it('is monotonic within a millisecond, also across a carry', () => {
    const gen = new UlidGenerator((b) => b.fill(0xff).fill(0, 0, 8));
    const a = gen.next(1000);
    const b = gen.next(1000);
    const c = gen.next(1000);
    expect(a < b && b < c).toBe(true);
    expect(parseUlid(b).random).toEqual(
      Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff].map((x, i) => (i === 7 ? 1 : i > 7 ? 0 : x))),
    );
    expect(ulidTime(gen.next(1001))).toBe(1001);
    const full = new UlidGenerator((b) => b.fill(0xff));
    full.next(5);
    expect(() => full.next(5)).toThrow(/overflowed/);
  });
});
