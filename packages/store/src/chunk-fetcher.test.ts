import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferByteSource, ChunkSegmentReader, IndexReader, packChunkRef, type ByteRangeSource } from '@thanos-ts/tsdb';
import { describe, expect, it } from 'vitest';
import { fetchChunks } from './chunk-fetcher';
import { fixtureBlockIds, fixtureBlocksDir } from './testing/harness';

class CountingSource implements ByteRangeSource {
  reads: Array<[number, number]> = [];
  constructor(private readonly inner: BufferByteSource) {}
  get size() {
    return this.inner.size;
  }
  get name() {
    return this.inner.name;
  }
  read(offset: number, length: number) {
    this.reads.push([offset, length]);
    return this.inner.read(offset, length);
  }
}

const blockDir = join(fixtureBlocksDir, fixtureBlockIds[1]);
const segment = new Uint8Array(readFileSync(join(blockDir, 'chunks', '000001')));

async function allRefs(): Promise<number[]> {
  const index = await IndexReader.open(new BufferByteSource(new Uint8Array(readFileSync(join(blockDir, 'index')))));
  const entries = await index.seriesMany(await index.allPostings());
  return entries.flatMap((e) => e.chunks.map((c) => c.ref));
}

describe('fetchChunks', () => {
  it('reads every chunk of a block with one coalesced range request, CRC-checked', async () => {
    const refs = await allRefs();
    const src = new CountingSource(new BufferByteSource(segment, 'chunks/000001'));
    const got = await fetchChunks([src], refs);
    expect(src.reads.length).toBe(1);
    const reference = ChunkSegmentReader.fromSources([new BufferByteSource(segment)]);
    for (const ref of refs) {
      const want = reference.chunkSync(ref);
      expect(got.get(ref)?.encoding).toBe(want.encoding);
      expect(Buffer.from(got.get(ref)!.data).equals(Buffer.from(want.data))).toBe(true);
    }
  });

  it('reports a damaged chunk with the segment name and offset', async () => {
    const refs = await allRefs();
    const bad = segment.slice();
    const offset = refs[3] % 2 ** 32;
    bad[offset + 4] ^= 0xff;
    await expect(fetchChunks([new BufferByteSource(bad, 'blk/chunks/000001')], [refs[3]])).rejects.toThrow(/checksum/);
  });

  it('rejects refs beyond the segment', async () => {
    await expect(
      fetchChunks([new BufferByteSource(segment, 'seg')], [packChunkRef(0, segment.length + 10)]),
    ).rejects.toThrow(/outside/);
  });
});
