import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EncXOR, XorChunkEncoder, type Chunk } from '../chunkenc';
import { BufferByteSource, CorruptionError, type ByteRangeSource } from '../encoding';
import {
  ChunkSegmentReader,
  ChunkSegmentWriter,
  chunkRefOffset,
  chunkRefSegment,
  listSegmentFiles,
  packChunkRef,
  walkChunkSegment,
} from './index';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function tmp(): string {
  const d = tempDir('chunks-test');
  cleanups.push(d.cleanup);
  return d.path;
}

function xorChunk(n: number, seed: number): Chunk {
  const enc = new XorChunkEncoder();
  for (let i = 0; i < n; i++) enc.append(1_000_000 + i * 15_000 + (i % 3), seed + i * 0.5);
  return enc.toChunk();
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('chunk refs', () => {
  it('pack segment index and offset as Prometheus block chunk refs', () => {
    expect(packChunkRef(0, 8)).toBe(8);
    const ref = packChunkRef(3, 0xfffffff0);
    expect(ref).toBe(3 * 2 ** 32 + 0xfffffff0);
    expect([chunkRefSegment(ref), chunkRefOffset(ref)]).toEqual([3, 0xfffffff0]);
    expect(() => packChunkRef(2 ** 21, 8)).toThrow(RangeError);
  });
});

describe('ChunkSegmentWriter / ChunkSegmentReader', () => {
  it('rewrites the fixture segment files byte for byte with the same refs', async () => {
    const blocks = join(fixturesDir, 'openmetrics-blocks/blocks');
    for (const block of readdirSync(blocks)) {
      const file = join(blocks, block, 'chunks/000001');
      const original = readFileSync(file);
      const entries = [...walkChunkSegment(original, file)];
      const dir = tmp();
      const w = new ChunkSegmentWriter(dir, { fsync: false });
      const refs = entries.map((e) => w.writeChunks([e.chunk])[0]);
      w.close();
      expect(refs).toEqual(entries.map((e) => e.offset));
      expect(readFileSync(join(dir, '000001')).equals(original)).toBe(true);
      const r = ChunkSegmentReader.fromDir(dir);
      for (const e of entries) expect(hex(r.chunkSync(e.offset).data)).toBe(hex(e.chunk.data));
      await r.close();
    }
  });

  it('rolls over to new segments at the size limit and reads every chunk back', async () => {
    const dir = tmp();
    const w = new ChunkSegmentWriter(dir, { segmentSize: 600, fsync: false });
    const chunks = Array.from({ length: 30 }, (_, i) => xorChunk(5 + (i % 20), i));
    const refs: number[] = [];
    for (let i = 0; i < chunks.length; i += 3) refs.push(...w.writeChunks(chunks.slice(i, i + 3)));
    w.close();
    const files = listSegmentFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    expect(files).toEqual(w.segmentFiles);
    expect(files[0]).toBe('000001');
    for (const [i, f] of files.entries()) {
      const size = readFileSync(join(dir, f)).length;
      expect(size).toBe(w.segmentSizes[i]);
      // Sizes are estimated with a 5-byte length field, so real files stay within the limit.
      expect(size).toBeLessThanOrEqual(600);
    }
    expect(new Set(refs.map(chunkRefSegment))).toEqual(new Set(files.map((_, i) => i)));
    const r = ChunkSegmentReader.fromDir(dir);
    for (const [i, ref] of refs.entries()) {
      const c = await r.chunk(ref);
      expect(c.encoding).toBe(EncXOR);
      expect(hex(c.data)).toBe(hex(chunks[i].data));
    }
    await r.close();
  });

  it('cuts segments where Prometheus does: a batch that does not fit goes to the next segment', async () => {
    const dir = tmp();
    const chunk = xorChunk(10, 1); // 5 + 1 + len + 4 estimated bytes each
    const est = 5 + 1 + chunk.data.length + 4;
    const w = new ChunkSegmentWriter(dir, { segmentSize: 8 + 2 * est, fsync: false });
    const first = w.writeChunks([chunk, chunk]);
    const second = w.writeChunks([chunk]);
    const third = w.writeChunks([chunk, chunk, chunk]);
    w.close();
    expect(first.map(chunkRefSegment)).toEqual([0, 0]);
    expect(second.map(chunkRefSegment)).toEqual([1]);
    expect(third.map(chunkRefSegment)).toEqual([1, 2, 2]);
  });

  it('puts a chunk larger than the segment size alone in a segment', async () => {
    const dir = tmp();
    const w = new ChunkSegmentWriter(dir, { segmentSize: 64, fsync: false });
    const big = xorChunk(200, 3);
    const refs = w.writeChunks([xorChunk(2, 1), big, xorChunk(2, 2)]);
    w.close();
    expect(refs.map(chunkRefSegment)).toEqual([0, 1, 2]);
    expect(refs.map(chunkRefOffset)).toEqual([8, 8, 8]);
  });

  it('reports a CRC mismatch as corruption naming the file and offset', async () => {
    const dir = tmp();
    const w = new ChunkSegmentWriter(dir, { fsync: false });
    const refs = w.writeChunks([xorChunk(20, 1), xorChunk(20, 2)]);
    w.close();
    const path = join(dir, '000001');
    const bytes = readFileSync(path);
    bytes[chunkRefOffset(refs[1]) + 10] ^= 0x40;
    writeFileSync(path, bytes);
    const r = ChunkSegmentReader.fromDir(dir);
    expect(hex(r.chunkSync(refs[0]).data)).toBe(hex(xorChunk(20, 1).data));
    let err: unknown;
    try {
      r.chunkSync(refs[1]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).file).toBe(path);
    expect((err as CorruptionError).offset).toBe(chunkRefOffset(refs[1]));
    expect((err as Error).message).toMatch(/checksum mismatch/);
    // Readers that skip the CRC (queries, as in Prometheus) get the damaged bytes as they are.
    const damaged = r.chunkSync(refs[1], false).data;
    expect(hex(damaged)).not.toBe(hex(xorChunk(20, 2).data));
    expect(damaged.length).toBe(xorChunk(20, 2).data.length);
    await expect(r.chunk(refs[1])).rejects.toThrow(/checksum mismatch/);
    expect(hex((await r.chunk(refs[1], false)).data)).toBe(hex(damaged));
    await r.close();
  });

  it('rejects bad magic, refs outside the segments and truncated chunks', async () => {
    const good = new Uint8Array([0x85, 0xbd, 0x40, 0xdd, 1, 0, 0, 0]);
    const bad = new Uint8Array([...good, 0, 1, 0, 0, 0, 0, 0]);
    bad[0] = 0;
    expect(() => ChunkSegmentReader.fromSources([new BufferByteSource(bad, 'seg')]).chunkSync(8)).toThrow(/magic/);
    const r = ChunkSegmentReader.fromSources([new BufferByteSource(good, 'seg')]);
    expect(() => r.chunkSync(packChunkRef(1, 8))).toThrow(CorruptionError);
    expect(() => r.chunkSync(8)).toThrow(/outside/);
    const truncated = new Uint8Array([...good, 0x20, 1, 0, 1]);
    expect(() => ChunkSegmentReader.fromSources([new BufferByteSource(truncated, 'seg')]).chunkSync(8)).toThrow(
      /runs past the end/,
    );
    expect(() => [...walkChunkSegment(truncated, 'seg')]).toThrow(CorruptionError);
  });

  it('reads through an asynchronous range source', async () => {
    const dir = tmp();
    const w = new ChunkSegmentWriter(dir, { fsync: false });
    const chunks = [xorChunk(240, 1), xorChunk(3, 2)];
    const refs = w.writeChunks(chunks);
    w.close();
    const bytes = new Uint8Array(readFileSync(join(dir, '000001')));
    const reads: Array<[number, number]> = [];
    const source: ByteRangeSource = {
      name: 'remote/000001',
      size: bytes.length,
      read: async (offset, length) => {
        reads.push([offset, length]);
        return bytes.slice(offset, offset + length);
      },
    };
    const r = ChunkSegmentReader.fromSources([source]);
    expect(hex((await r.chunk(refs[0])).data)).toBe(hex(chunks[0].data));
    expect(hex((await r.chunk(refs[1])).data)).toBe(hex(chunks[1].data));
    expect(() => r.chunkSync(refs[0])).toThrow(/asynchronously/);
    expect(reads[0]).toEqual([0, 8]);
  });
});
