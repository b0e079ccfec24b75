import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@thanos-ts/testkit';
import { BufferByteSource, IndexReader, type ByteRangeSource } from '@thanos-ts/tsdb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildIndexHeader,
  decodeIndexHeader,
  encodeIndexHeader,
  INDEX_HEADER_MAGIC,
  IndexHeaderSource,
  loadIndexHeader,
} from './index-header';
import { fixtureBlockIds, fixtureBlocksDir } from './testing/harness';

/** A source over the fixture index that counts the reads reaching it. */
class CountingSource implements ByteRangeSource {
  reads = 0;
  private readonly inner: BufferByteSource;
  constructor(bytes: Uint8Array) {
    this.inner = new BufferByteSource(bytes, 'index');
  }
  get size() {
    return this.inner.size;
  }
  get name() {
    return this.inner.name;
  }
  read(offset: number, length: number) {
    this.reads++;
    return this.inner.read(offset, length);
  }
}

const indexBytes = new Uint8Array(readFileSync(join(fixtureBlocksDir, fixtureBlockIds[1], 'index')));

describe('index-header', () => {
  const dir = tempDir('store-index-header-');
  afterAll(() => dir.cleanup());

  it('is laid out as Thanos writes it: 14-byte header, symbols, postings table to the end, TOC', async () => {
    const h = await buildIndexHeader(new BufferByteSource(indexBytes));
    const file = encodeIndexHeader(h);
    const v = new DataView(file.buffer);
    expect(v.getUint32(0)).toBe(INDEX_HEADER_MAGIC);
    expect([file[4], file[5]]).toEqual([1, 2]);
    expect(v.getUint32(6) * 2 ** 32 + v.getUint32(10)).toBe(h.postingsTableOffset);
    expect(file.length).toBe(14 + h.symbols.length + (indexBytes.length - h.postingsTableOffset) + 20);
    expect(
      Buffer.from(file.subarray(14, 14 + h.symbols.length)).equals(
        Buffer.from(indexBytes.subarray(5, 5 + h.symbols.length)),
      ),
    ).toBe(true);
    const back = decodeIndexHeader(file, 'x');
    expect(back.indexSize).toBe(indexBytes.length);
    expect(back.symbolsOffset).toBe(5);
    expect(back.postingsTableOffset).toBe(h.postingsTableOffset);
  });

  it('lets an index reader open without reading the bucket, and answers like the full index', async () => {
    const remote = new CountingSource(indexBytes);
    const h = await buildIndexHeader(remote);
    remote.reads = 0;
    const viaHeader = await IndexReader.open(new IndexHeaderSource(h, remote));
    expect(remote.reads).toBe(0);
    const full = await IndexReader.open(new BufferByteSource(indexBytes));
    expect(viaHeader.labelNames()).toEqual(full.labelNames());
    const refs = await full.allPostings();
    expect(await viaHeader.allPostings()).toEqual(refs);
    expect(await viaHeader.seriesMany(refs)).toEqual(await full.seriesMany(refs));
    expect(remote.reads).toBeGreaterThan(0);
  });

  it('serves reads that straddle local and remote parts', async () => {
    const h = await buildIndexHeader(new BufferByteSource(indexBytes));
    const src = new IndexHeaderSource(h, new BufferByteSource(indexBytes));
    const from = h.postingsTableOffset - 10;
    expect(Buffer.from(await src.read(0, 100)).equals(Buffer.from(indexBytes.subarray(0, 100)))).toBe(true);
    expect(Buffer.from(await src.read(from, 30)).equals(Buffer.from(indexBytes.subarray(from, from + 30)))).toBe(true);
  });

  it('is written to disk once and reused; a damaged file is rebuilt', async () => {
    const path = join(dir.path, 'block', 'index-header');
    const remote = new CountingSource(indexBytes);
    expect((await loadIndexHeader(path, remote)).built).toBe(true);
    expect((await loadIndexHeader(path, remote)).built).toBe(false);
    const file = readFileSync(path);
    file[file.length - 1] ^= 1;
    writeFileSync(path, file);
    expect((await loadIndexHeader(path, remote)).built).toBe(true);
  });

  it('rejects an index whose TOC checksum is wrong, naming it', async () => {
    const bad = indexBytes.slice();
    bad[bad.length - 1] ^= 0xff;
    await expect(buildIndexHeader(new BufferByteSource(bad, 'blk/index'))).rejects.toThrow(/TOC checksum/);
  });
});
