import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { CorruptionError, crc32c } from '../encoding';
import { BufferByteSource } from '../encoding/source';
import { IndexReader, INDEX_TOC_LEN } from './index';

const FILE = 'blocks/01M87WZDRW12N1VYN3CC8X70A0/index';
const original = new Uint8Array(readFileSync(join(fixturesDir, 'openmetrics-blocks', FILE)));
// Layout of this file (spec §14): symbols 5.., series 0x1a7.., label indices 0x7d1..,
// postings 0x8ec.., label offset table 0xca0.., postings offset table 0xd06.., TOC at size-52.
const TOC = original.length - INDEX_TOC_LEN;

function mutated(edit: (b: Uint8Array) => void): Uint8Array {
  const b = original.slice();
  edit(b);
  return b;
}

/** Opens and reads everything, so that any damaged section is visited. */
async function readEverything(bytes: Uint8Array): Promise<unknown> {
  const reader = await IndexReader.open(new BufferByteSource(bytes, 'damaged-index'));
  const refs = await reader.allPostings();
  const series = await reader.seriesMany(refs);
  const postings = [];
  for (const name of reader.labelNames())
    postings.push(Array.from(await reader.postings(name, reader.labelValues(name))));
  const legacy = [...(await reader.legacyLabelIndices())];
  return { symbols: reader.symbols(), series, postings, legacy };
}

async function corruption(bytes: Uint8Array): Promise<CorruptionError> {
  try {
    await readEverything(bytes);
  } catch (e) {
    if (e instanceof CorruptionError) return e;
    throw e;
  }
  throw new Error('expected a CorruptionError');
}

function setBE32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v);
}

/** Rewrites the TOC CRC so that only the edited references are wrong. */
function fixTocCrc(b: Uint8Array): void {
  setBE32(b, b.length - 4, crc32c(b, b.length - INDEX_TOC_LEN, b.length - 4));
}

describe('IndexReader on damaged input', () => {
  it('rejects a wrong magic, version, or a file too small for a TOC', async () => {
    expect((await corruption(mutated((b) => (b[0] = 0xbb)))).message).toMatch(
      /damaged-index at offset 0: invalid index magic/,
    );
    expect((await corruption(mutated((b) => (b[4] = 1)))).message).toMatch(
      /offset 4: unsupported index format version 1/,
    );
    expect((await corruption(original.slice(0, 40))).message).toMatch(/too small/);
  });

  it('detects a flipped byte in each checksummed section, with its offset', async () => {
    const cases: [string, number, RegExp][] = [
      ['symbol table', 20, /symbol table checksum mismatch/],
      ['series entry', 0x1b0 + 5, /series entry checksum mismatch/],
      ['label index', 0x7d4 + 12, /label index of __name__ checksum mismatch/],
      ['postings list', 0x8ec + 9, /postings list checksum mismatch/],
      ['label offset table', 0xca0 + 10, /label offset table checksum mismatch/],
      ['postings offset table', 0xd06 + 12, /postings offset table checksum mismatch/],
      ['TOC', TOC + 3, /TOC checksum mismatch/],
    ];
    for (const [what, at, message] of cases) {
      const e = await corruption(mutated((b) => (b[at] ^= 0x10)));
      expect(e.message, what).toMatch(message);
      expect(e.file, what).toBe('damaged-index');
      expect(e.offset, what).toBeGreaterThan(0);
      expect(e.offset, what).toBeLessThanOrEqual(original.length);
    }
  });

  it('fails cleanly on every truncation', async () => {
    for (let n = 0; n < original.length; n += 7) {
      await expect(readEverything(original.slice(0, n)), `truncated to ${n}`).rejects.toBeInstanceOf(CorruptionError);
    }
  });

  it('refuses huge lengths and counts without allocating them', async () => {
    // Symbol table length far past the end of the file.
    let e = await corruption(mutated((b) => setBE32(b, 5, 0xfffffff0)));
    expect(e.message).toMatch(/symbol table length 4294967280 runs past/);
    expect(e.offset).toBe(5);
    // TOC references outside the file, with a valid TOC checksum.
    e = await corruption(
      mutated((b) => {
        setBE32(b, TOC + 40, 0x7fff);
        setBE32(b, TOC + 44, 0xffffffff);
        fixTocCrc(b);
      }),
    );
    expect(e.message).toMatch(/TOC reference postingsTable=.* is outside/);
    // A symbol count larger than the table can hold (checksum made valid again).
    e = await corruption(
      mutated((b) => {
        setBE32(b, 9, 0x7fffffff);
        setBE32(b, 9 + 410, crc32c(b, 9, 9 + 410));
      }),
    );
    expect(e.message).toMatch(/claims 2147483647 symbols/);
  });

  it('reports a series reference outside the series section', async () => {
    const reader = await IndexReader.open(new BufferByteSource(original, 'idx'));
    await expect(reader.series(1)).rejects.toThrow(/idx at offset 16: series reference 1 points outside/);
    await expect(reader.series(0x7d1 / 16 + 1)).rejects.toBeInstanceOf(CorruptionError);
    await expect(reader.series(28)).rejects.toBeInstanceOf(CorruptionError); // inside padding/another entry
  });

  it('never fails with anything but CorruptionError when a single byte is flipped', async () => {
    const clean = JSON.stringify(await readEverything(original));
    let detected = 0;
    let tried = 0;
    // Every other byte: reaches every field of every section while keeping the test fast.
    for (let at = 0; at < original.length; at += 2, tried++) {
      const bytes = mutated((b) => (b[at] ^= 0x41));
      try {
        const out = JSON.stringify(await readEverything(bytes));
        // Undetected flips can only be in padding, which no checksum covers.
        expect(out, `flip at ${at}`).toBe(clean);
      } catch (e) {
        expect(e, `flip at ${at}`).toBeInstanceOf(CorruptionError);
        detected++;
      }
    }
    // About a tenth of this small file is alignment padding.
    expect(detected).toBeGreaterThan(tried * 0.85);
  });
});
