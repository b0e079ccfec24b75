import { tempDir } from '@thanos-ts/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { XorChunkEncoder, type Chunk } from '../chunkenc';
import { FileByteSource } from '../encoding';
import { ChunkSegmentReader, ChunkSegmentWriter, listSegmentFiles } from '../chunks';
import { ReadAheadSource } from './read-ahead';
import { join } from 'node:path';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** Ramps compress to a few bytes per sample; every fifth chunk holds noise (~1.5 KB). */
function chunk(n: number, seed: number): Chunk {
  const enc = new XorChunkEncoder();
  const noisy = seed % 5 === 0;
  for (let i = 0; i < n; i++) enc.append(1_000_000 + i * 15_000, noisy ? Math.sin(seed * 1000 + i) : seed * 1.5 + i);
  return enc.toChunk();
}

const WINDOW = 1500;

describe('read-ahead source', () => {
  it('serves chunks from its window, across window ends, as the plain file reader does', async () => {
    const d = tempDir('read-ahead-');
    cleanups.push(d.cleanup);
    const w = new ChunkSegmentWriter(d.path, { fsync: false });
    const chunks = Array.from({ length: 40 }, (_, i) => chunk(i % 5 === 0 ? 200 : 5 + ((i * 7) % 60), i));
    expect(Math.max(...chunks.map((c) => c.data.length))).toBeGreaterThan(WINDOW);
    const refs = w.writeChunks(chunks);
    w.close();
    const file = join(d.path, listSegmentFiles(d.path)[0]);
    const plain = ChunkSegmentReader.fromDir(d.path);
    // a window smaller than some chunks: those are read on their own
    const windowed = new ChunkSegmentReader(1, () => new ReadAheadSource(new FileByteSource(file), WINDOW));
    for (let i = 0; i < refs.length; i++) {
      const want = plain.chunkSync(refs[i]);
      for (const verify of [true, false]) {
        const got = windowed.chunkSync(refs[i], verify);
        expect(got.encoding).toBe(want.encoding);
        expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
      }
    }
    await plain.close();
    await windowed.close();
  });
});
