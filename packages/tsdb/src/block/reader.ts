import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkSegmentReader, listSegmentFiles } from '../chunks';
import { BufferByteSource, FileByteSource, type ByteRangeSource } from '../encoding';
import { IndexReader } from '../index/index';
import { META_FILENAME, parseBlockMeta, readBlockMeta, type BlockMeta } from '../meta';
import { TOMBSTONES_FILENAME, TombstoneSet, decodeTombstones, readTombstones } from '../tombstones';
import { ReadAheadSource } from './read-ahead';
import { CHUNKS_DIRNAME, INDEX_FILENAME } from './writer';

/** The parts of a block as byte sources: for blocks in memory or in a bucket. */
export interface BlockSources {
  /** meta.json, parsed or as its text. */
  meta: BlockMeta | string;
  index: ByteRangeSource;
  /** Chunk segment files in order (`000001` first). */
  chunks: ByteRangeSource[];
  /** The tombstones file's bytes; absent means none. */
  tombstones?: Uint8Array;
  /** Shown in errors and listings (a directory or object prefix). */
  name?: string;
}

/**
 * An opened persisted block: meta, index reader, chunk reader and tombstones. Opening
 * reads meta.json, the index' TOC, symbol and postings offset tables and the tombstones;
 * series and chunks are read on demand. Damage is reported as `CorruptionError`s (index,
 * chunks, tombstones) or `BlockMetaError`s (meta.json) naming the file.
 */
export class Block {
  private constructor(
    readonly name: string,
    readonly meta: BlockMeta,
    readonly index: IndexReader,
    readonly chunks: ChunkSegmentReader,
    readonly tombstones: TombstoneSet,
    /** Bytes of chunks, index, tombstones and meta.json (Prometheus' `Block.Size`). */
    readonly size: number,
    /** Whether chunks can be read with `chunks.chunkSync` (local files or memory). */
    readonly syncChunks: boolean,
  ) {}

  /** Opens the block in directory `dir`. */
  static async open(dir: string): Promise<Block> {
    const meta = readBlockMeta(dir);
    const metaSize = statSync(join(dir, META_FILENAME)).size;
    const { tombstones, size: tombstonesSize } = readTombstones(dir);
    const chunksDir = join(dir, CHUNKS_DIRNAME);
    const segments = listSegmentFiles(chunksDir).map((f) => join(chunksDir, f));
    let chunksSize = 0;
    for (const s of segments) chunksSize += statSync(s).size;
    const indexSource = new FileByteSource(join(dir, INDEX_FILENAME));
    let index: IndexReader;
    try {
      index = await IndexReader.open(indexSource);
    } catch (e) {
      indexSource.close();
      throw e;
    }
    const chunks = new ChunkSegmentReader(segments.length, (i) => new ReadAheadSource(new FileByteSource(segments[i])));
    return new Block(dir, meta, index, chunks, tombstones, chunksSize + index.size + tombstonesSize + metaSize, true);
  }

  /** Opens a block from byte sources (memory, object storage). */
  static async fromSources(src: BlockSources): Promise<Block> {
    const name = src.name ?? '<block>';
    const meta = typeof src.meta === 'string' ? parseBlockMeta(src.meta) : src.meta;
    const metaSize = typeof src.meta === 'string' ? Buffer.byteLength(src.meta) : 0;
    const tombstones = src.tombstones
      ? decodeTombstones(src.tombstones, join(name, TOMBSTONES_FILENAME))
      : new TombstoneSet();
    const index = await IndexReader.open(src.index);
    const chunks = ChunkSegmentReader.fromSources(src.chunks);
    let size = index.size + metaSize + (src.tombstones?.length ?? 0);
    for (const c of src.chunks) size += c.size;
    const sync = src.chunks.every((c) => c instanceof BufferByteSource || c instanceof FileByteSource);
    return new Block(name, meta, index, chunks, tombstones, size, sync);
  }

  /** Reads a whole block directory into memory and opens it from there (tests, small blocks). */
  static async loadIntoMemory(dir: string): Promise<Block> {
    const chunksDir = join(dir, CHUNKS_DIRNAME);
    const read = (path: string) => new BufferByteSource(new Uint8Array(readFileSync(path)), path);
    const { size } = readTombstones(dir);
    return Block.fromSources({
      name: dir,
      meta: readFileSync(join(dir, META_FILENAME), 'utf8'),
      index: read(join(dir, INDEX_FILENAME)),
      chunks: listSegmentFiles(chunksDir).map((f) => read(join(chunksDir, f))),
      tombstones: size > 0 ? readFileSync(join(dir, TOMBSTONES_FILENAME)) : undefined,
    });
  }

  get minTime(): number {
    return this.meta.minTime;
  }

  /** Exclusive end of the block's time range. */
  get maxTime(): number {
    return this.meta.maxTime;
  }

  /** Whether the block has data in the inclusive range `[mint, maxt]`. */
  overlapsClosedInterval(mint: number, maxt: number): boolean {
    return this.meta.minTime <= maxt && mint < this.meta.maxTime;
  }

  async close(): Promise<void> {
    await this.index.close();
    await this.chunks.close();
  }
}
