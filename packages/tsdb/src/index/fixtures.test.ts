import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { DecodingBuffer } from '../encoding';
import { BufferByteSource, FileByteSource } from '../encoding/source';
import { labelsToString } from '../labels';
import { buildIndex, IndexReader, IndexWriter, type SeriesEntry } from './index';

const blocksDir = join(fixturesDir, 'openmetrics-blocks', 'blocks');
const blocks = readdirSync(blocksDir).sort();

/** Distinct label sets of `promtool tsdb dump` (each line is `{labels} value timestamp`). */
function dumpLabelSets(): string[] {
  const text = readFileSync(join(fixturesDir, 'openmetrics-blocks', 'expected-dump.txt'), 'utf8');
  const sets: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const ls = line.slice(0, line.lastIndexOf(' ', line.lastIndexOf(' ') - 1));
    if (sets[sets.length - 1] !== ls) sets.push(ls);
  }
  return sets;
}

async function readAll(reader: IndexReader): Promise<{ refs: ArrayLike<number>; series: SeriesEntry[] }> {
  const refs = await reader.allPostings();
  return { refs, series: await reader.seriesMany(refs) };
}

describe('IndexReader on the Prometheus 2.42 fixture blocks', () => {
  const dumpSets = dumpLabelSets();

  it('finds every dumped series, in order, across the three blocks', async () => {
    const seen = new Set<string>();
    for (const block of blocks) {
      const reader = await IndexReader.open(new FileByteSource(join(blocksDir, block, 'index')));
      const { series } = await readAll(reader);
      const meta = JSON.parse(readFileSync(join(blocksDir, block, 'meta.json'), 'utf8'));
      expect(series.length).toBe(meta.stats.numSeries);
      expect(series.reduce((n, s) => n + s.chunks.length, 0)).toBe(meta.stats.numChunks);
      const strings = series.map((s) => labelsToString(s.labels));
      // Postings order is label order, so the block's series are a subsequence of the dump's.
      const positions = strings.map((s) => dumpSets.indexOf(s));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      strings.forEach((s) => seen.add(s));
      await reader.close();
    }
    expect([...seen].sort()).toEqual([...dumpSets].sort());
  });

  it('lists label names and values that are exactly those of the series', async () => {
    for (const block of blocks) {
      const bytes = readFileSync(join(blocksDir, block, 'index'));
      const reader = await IndexReader.open(new BufferByteSource(bytes, block));
      const { series } = await readAll(reader);
      const values = new Map<string, Set<string>>();
      for (const s of series) {
        for (const l of s.labels) {
          if (!values.has(l.name)) values.set(l.name, new Set());
          values.get(l.name)!.add(l.value);
        }
      }
      expect([...reader.labelNames()]).toEqual([...values.keys()].sort());
      for (const [name, vs] of values) expect([...reader.labelValues(name)].sort()).toEqual([...vs].sort());
      expect(reader.labelValues('__name__')).toContain('edge_values');
      expect(reader.labelValues('no_such_label')).toEqual([]);
      // The legacy label indices agree with the postings offset table.
      const legacy = await reader.legacyLabelIndices();
      expect([...legacy.keys()]).toEqual(reader.labelNames());
      for (const [name, vs] of legacy) expect(vs).toEqual(reader.labelValues(name));
      // Symbols: every name and value plus "", sorted.
      const symbols = new Set(['']);
      for (const [name, vs] of values) [name, ...vs].forEach((v) => symbols.add(v));
      expect(new Set(reader.symbols())).toEqual(symbols);
      expect(reader.symbols()[0]).toBe('');
    }
  });

  it('decodes chunk metas pointing at consecutive chunks of chunks/000001', async () => {
    for (const block of blocks) {
      const chunkFile = readFileSync(join(blocksDir, block, 'chunks', '000001'));
      const reader = await IndexReader.open(new FileByteSource(join(blocksDir, block, 'index')));
      const { series } = await readAll(reader);
      let expectedRef = 8; // after the segment header
      for (const s of series) {
        for (const c of s.chunks) {
          expect(c.mint).toBeLessThanOrEqual(c.maxt);
          expect(c.ref).toBe(expectedRef);
          const d = new DecodingBuffer(chunkFile, c.ref);
          const dataLen = d.uvarint();
          expectedRef = d.pos + 1 + dataLen + 4; // encoding byte, data, CRC
        }
        for (let i = 1; i < s.chunks.length; i++) expect(s.chunks[i].mint).toBeGreaterThan(s.chunks[i - 1].maxt);
      }
      expect(expectedRef).toBe(chunkFile.length);
    }
  });

  it('matches the worked example of the spec (§14)', async () => {
    const reader = await IndexReader.open(new FileByteSource(join(blocksDir, '01M87WZDRW12N1VYN3CC8X70A0', 'index')));
    expect(reader.toc).toEqual({
      symbols: 5,
      series: 0x1a7,
      labelIndices: 0x7d1,
      labelIndicesTable: 0xca0,
      postings: 0x8ec,
      postingsTable: 0xd06,
    });
    expect(reader.symbols().length).toBe(41);
    const first = await reader.series(27);
    expect(first.labels).toEqual([
      { name: '__name__', value: 'edge_values' },
      { name: 'case', value: 'floats' },
    ]);
    expect(first.chunks).toEqual([
      { ref: 8, mint: 1672534050000, maxt: 1672534050000 + 3840000 },
      { ref: 1030, mint: 1672534050000 + 3840000 + 30000, maxt: 1672534050000 + 3840000 + 30000 + 450000 },
    ]);
    expect(Array.from(await reader.postings('case', 'floats'))).toEqual([27]);
  });

  it('rewrites every fixture index byte for byte from what it decoded', async () => {
    for (const block of blocks) {
      const original = readFileSync(join(blocksDir, block, 'index'));
      const reader = await IndexReader.open(new BufferByteSource(original));
      const { series } = await readAll(reader);
      const { writer, sink } = IndexWriter.inMemory();
      writer.addSymbols(reader.symbols());
      for (const s of series) writer.addSeries(s.labels, s.chunks);
      writer.close();
      expect(Buffer.from(sink.bytes()).equals(original)).toBe(true);
      // The same from the series alone, with the symbol table collected from their labels.
      expect(Buffer.from(buildIndex(series)).equals(original)).toBe(true);
    }
  });

  it('writes the same bytes to a file as to memory', async () => {
    const dir = tempDir('index-writer-');
    try {
      const original = readFileSync(join(blocksDir, blocks[1], 'index'));
      const reader = await IndexReader.open(new BufferByteSource(original));
      const { series } = await readAll(reader);
      const path = join(dir.path, 'index');
      const writer = IndexWriter.toFile(path);
      writer.addSymbols(reader.symbols());
      for (const s of series) writer.addSeries(s.labels, s.chunks);
      writer.close();
      expect(readFileSync(path).equals(original)).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
