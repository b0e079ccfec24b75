import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { XorChunkEncoder, XorChunkIterator, chunkIterator } from '../chunkenc';
import { CorruptionError } from '../encoding';
import { formatGoFloat } from '../format';
import { appendFloat, Head } from '../head';
import { labelsFromRecord, labelsToString, newMatcher } from '../labels';
import { ReadOnlyDb } from '../querier';
import {
  Block,
  BlockWriteError,
  chunksForBlock,
  headBlockSeries,
  reencodeChunk,
  writeBlock,
  writeBlockFromSamples,
  writeHeadBlock,
  type TimedChunk,
} from './index';
import { randomSeries } from './testing';

const dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function temp(): string {
  const d = tempDir('block-');
  dirs.push(d);
  return d.path;
}

/** Our dump of a data directory, in promtool's format. */
async function dump(dataDir: string, mint = Number.MIN_SAFE_INTEGER, maxt = Number.MAX_SAFE_INTEGER): Promise<string> {
  const db = await ReadOnlyDb.open(dataDir);
  const parts: string[] = [];
  const q = await db.querier(mint, maxt);
  for await (const s of q.select([newMatcher('=~', '__name__', '(?s:.*)')], mint, maxt)) {
    const it = s.iterator();
    const prefix = labelsToString(s.labels);
    while (it.next()) parts.push(`${prefix} ${formatGoFloat(it.v)} ${it.t}\n`);
  }
  await db.close();
  return parts.join('');
}

function promtoolDump(dataDir: string, extra: string[] = []): string {
  mkdirSync(join(dataDir, 'wal'), { recursive: true });
  const r = promtool(['tsdb', 'dump', ...extra, dataDir]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

function encode(samples: Array<[number, number]>): TimedChunk {
  const enc = new XorChunkEncoder();
  for (const [t, v] of samples) enc.append(t, v);
  return { minTime: enc.minTime, maxTime: enc.maxTime, chunk: enc.toChunk() };
}

function samplesOf(c: TimedChunk): Array<[number, number]> {
  const it = chunkIterator(c.chunk);
  const out: Array<[number, number]> = [];
  while (it.next()) out.push([it.t, it.v]);
  return out;
}

describe('writeBlock', () => {
  it('writes random series (NaN, stale markers, ±Inf, timestamps around ±4e15, UTF-8 labels) that promtool dumps like we do', async () => {
    const data = temp();
    const series = randomSeries({ series: 10_000, samplesPerSeries: 4, seed: 7 });
    const meta = await writeBlockFromSamples(data, series, { fsync: false });
    expect(meta.stats.numSeries).toBe(10_000);
    expect(meta.stats.numSamples).toBe(series.reduce((n, s) => n + s.timestamps.length, 0));
    expect(readdirSync(data)).toEqual([meta.ulid]);

    const ours = await dump(data);
    expect(ours.split('\n').length - 1).toBe(meta.stats.numSamples);
    expect(promtoolDump(data)).toBe(ours);
    const analyze = promtool(['tsdb', 'analyze', data, meta.ulid]);
    expect(analyze.stderr).toBe('');
    expect(analyze.status).toBe(0);
    expect(analyze.stdout).toContain(`Block ID: ${meta.ulid}`);
  });

  it('writes meta.json like Prometheus, with the Thanos section and compaction details given', async () => {
    const dir = temp();
    const meta = await writeBlock(
      dir,
      [
        {
          labels: labelsFromRecord({ __name__: 'up' }),
          chunks: [
            encode([
              [1000, 1],
              [2000, 0],
            ]),
          ],
        },
      ],
      {
        mint: 0,
        maxt: 7_200_000,
        level: 2,
        sources: ['01M87WZDRW12N1VYN3CC8X70A0', '01M87WZDTJRFQV7EVDRVH2M3VB'],
        thanos: { labels: { replica: 'a' }, downsample: { resolution: 0 }, source: 'receive' },
        fsync: false,
      },
    );
    const text = readFileSync(join(dir, meta.ulid, 'meta.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({
      ulid: meta.ulid,
      minTime: 0,
      maxTime: 7_200_000,
      stats: { numSamples: 2, numSeries: 1, numChunks: 1 },
      compaction: { level: 2, sources: ['01M87WZDRW12N1VYN3CC8X70A0', '01M87WZDTJRFQV7EVDRVH2M3VB'] },
      version: 1,
      thanos: { labels: { replica: 'a' }, source: 'receive' },
    });
    expect(readFileSync(join(dir, meta.ulid, 'tombstones'))).toEqual(
      readFileSync(join(fixturesDir, 'openmetrics-blocks/blocks/01M87WZDRW12N1VYN3CC8X70A0/tombstones')),
    );
  });

  it('refuses series out of label order and leaves no directory behind', async () => {
    const dir = temp();
    const c = [encode([[1, 1]])];
    await expect(
      writeBlock(
        dir,
        [
          { labels: labelsFromRecord({ __name__: 'b' }), chunks: c },
          { labels: labelsFromRecord({ __name__: 'a' }), chunks: c },
        ],
        { mint: 0, maxt: 2, fsync: false },
      ),
    ).rejects.toThrow(BlockWriteError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('chunksForBlock', () => {
  const chunk = encode([
    [100, 1],
    [200, 2],
    [300, 3],
    [400, 4],
  ]);

  it('keeps chunks inside the range byte for byte', () => {
    expect(chunksForBlock([chunk], 0, 1000)).toEqual([chunk]);
  });

  it('re-encodes a chunk crossing the range with only the samples inside', () => {
    const [c] = chunksForBlock([chunk], 150, 350);
    expect([c.minTime, c.maxTime]).toEqual([200, 300]);
    expect(samplesOf(c)).toEqual([
      [200, 2],
      [300, 3],
    ]);
    expect(c.chunk.data).toEqual(
      encode([
        [200, 2],
        [300, 3],
      ]).chunk.data,
    );
  });

  it('drops deleted samples and chunks entirely inside one deleted interval', () => {
    const [c] = chunksForBlock([chunk], 0, 1000, [{ mint: 150, maxt: 250 }]);
    expect(samplesOf(c)).toEqual([
      [100, 1],
      [300, 3],
      [400, 4],
    ]);
    expect(chunksForBlock([chunk], 0, 1000, [{ mint: 50, maxt: 450 }])).toEqual([]);
    expect(chunksForBlock([chunk], 500, 1000)).toEqual([]);
    expect(reencodeChunk(chunk.chunk, 101, 199)).toBeUndefined();
  });
});

describe('head to block', () => {
  it('writes the head range [mint, maxt) with crossing chunks cut and tombstones applied', async () => {
    const head = await Head.create();
    const app = head.appender();
    const a = app.getOrCreate(labelsFromRecord({ __name__: 'a', job: 'x' }));
    const b = app.getOrCreate(labelsFromRecord({ __name__: 'b', job: 'y' }));
    const late = app.getOrCreate(labelsFromRecord({ __name__: 'late', only: 'after' }));
    for (let t = 0; t < 3 * 3_600_000; t += 60_000) {
      appendFloat(app, a, t, t / 1000);
      appendFloat(app, b, t + 7, -t);
    }
    appendFloat(app, late, 3 * 3_600_000, 1);
    app.commit();
    await head.deleteRange([newMatcher('=', '__name__', 'b')], 600_000, 1_200_000);

    const data = temp();
    const maxt = 7_200_000;
    const meta = await writeHeadBlock(data, head, { mint: 0, maxt, fsync: false });
    expect(meta.stats.numSeries).toBe(2);
    // b's samples at 600007 … 1140007 are deleted.
    expect(meta.stats.numSamples).toBe(120 + 120 - 10);

    const block = await Block.open(join(data, meta.ulid));
    expect(block.index.symbols()).toContain('after');
    await block.close();
    const ours = await dump(data);
    expect(promtoolDump(data)).toBe(ours);
    expect(ours).not.toContain(' 10800000\n');
    const series: string[] = [];
    for await (const s of headBlockSeries(head, maxt, 4 * 3_600_000)) series.push(labelsToString(s.labels));
    expect(series).toEqual(['{__name__="a", job="x"}', '{__name__="b", job="y"}', '{__name__="late", only="after"}']);
    expect(ours).toContain('{__name__="a", job="x"} 7140 7140000\n');
    expect(ours).not.toMatch(/job="y"} -([6-9][0-9]{5}|1[01][0-9]{5}) /);
    expect(ours).toContain('{__name__="b", job="y"} -1.2e+06 1200007\n');
  });
});

describe('Block', () => {
  const fixtureBlock = join(fixturesDir, 'openmetrics-blocks/blocks/01M87WZDRW12N1VYN3CC8X70A0');

  it('opens a block from files and from in-memory sources alike', async () => {
    const fromDir = await Block.open(fixtureBlock);
    const fromMemory = await Block.loadIntoMemory(fixtureBlock);
    expect(fromDir.size).toBe(18491);
    expect(fromMemory.size).toBe(18491);
    expect(fromMemory.meta).toEqual(fromDir.meta);
    const refs = await fromDir.index.allPostings();
    const [x, y] = await Promise.all([fromDir.index.series(refs[0]), fromMemory.index.series(refs[0])]);
    expect(y).toEqual(x);
    const c1 = await fromDir.chunks.chunk(x.chunks[0].ref);
    const c2 = await fromMemory.chunks.chunk(x.chunks[0].ref);
    expect(c2).toEqual(c1);
    const it = new XorChunkIterator(c1.data);
    expect(it.numSamples).toBe(129);
    await fromDir.close();
    await fromMemory.close();
  });

  it('reports a damaged index with a CorruptionError naming the index file', async () => {
    const dir = join(temp(), 'b');
    cpSync(fixtureBlock, dir, { recursive: true });
    const path = join(dir, 'index');
    const bytes = readFileSync(path);
    bytes[20] ^= 0xff; // inside the symbol table
    writeFileSync(path, bytes);
    const err = await Block.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).file).toBe(path);
    expect((err as Error).message).toMatch(/checksum mismatch/);
  });

  it('reports a truncated chunks file with a CorruptionError naming the segment', async () => {
    const data = temp();
    const dir = join(data, '01M87WZDRW12N1VYN3CC8X70A0');
    cpSync(fixtureBlock, dir, { recursive: true });
    const segment = join(dir, 'chunks', '000001');
    truncateSync(segment, 5000);
    const err = await dump(data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).file).toBe(segment);
    expect(existsSync(segment)).toBe(true);
  });
});
