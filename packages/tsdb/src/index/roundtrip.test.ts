import { beforeAll, describe, expect, it } from 'vitest';
import { BufferByteSource } from '../encoding/source';
import { compareLabels, compareStrings } from '../labels';
import { buildIndex, IndexReader, IndexWriter, IndexWriterError, collectSymbols } from './index';
import { syntheticSeries, TRICKY_VALUES } from './testing';

describe('IndexWriter -> IndexReader round trip', () => {
  const series = syntheticSeries(10_000, 7);
  let reader: IndexReader;
  beforeAll(async () => {
    reader = await IndexReader.open(new BufferByteSource(buildIndex(series), 'synthetic'));
  });

  it('returns every series, label name, value and postings list of a large index', async () => {
    const all = await reader.allPostings();
    expect(all.length).toBe(series.length);
    const decoded = await reader.seriesMany(all);
    // One string comparison: deep equality over 12k objects is slow in the test runner.
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(series));

    const byPair = new Map<string, number[]>();
    const valuesByName = new Map<string, Set<string>>();
    series.forEach((s, i) => {
      for (const l of s.labels) {
        const key = `${l.name}\u0000${l.value}`;
        if (!byPair.has(key)) byPair.set(key, []);
        byPair.get(key)!.push(all[i]);
        if (!valuesByName.has(l.name)) valuesByName.set(l.name, new Set());
        valuesByName.get(l.name)!.add(l.value);
      }
    });
    expect(reader.labelNames()).toEqual([...valuesByName.keys()].sort(compareStrings));
    for (const [name, values] of valuesByName) {
      expect(reader.labelValues(name)).toEqual([...values].sort(compareStrings));
    }
    const read = new Map<string, number[]>();
    for (const key of byPair.keys()) {
      const [name, value] = key.split('\u0000');
      read.set(key, Array.from(await reader.postings(name, [value])));
    }
    expect(JSON.stringify([...read])).toBe(JSON.stringify([...byPair]));
    const env = await reader.postings('env', ['prod', 'dev', 'missing']);
    expect(Array.from(env)).toEqual(
      Array.from(all).filter((_, i) => series[i].labels.some((l) => l.name === 'env' && l.value !== 'staging')),
    );
  });

  it('sorts UTF-8 values by bytes: 4-byte code points after U+FF5E', () => {
    const utf8 = reader.labelValues('utf8');
    expect(utf8).toEqual([...new Set(TRICKY_VALUES)].sort(compareStrings));
    expect(utf8.indexOf('\uff5e')).toBeLessThan(utf8.indexOf('😀'));
    expect(utf8.indexOf('a\uffff')).toBeLessThan(utf8.indexOf('a😀'));
    const symbols = reader.symbols();
    const unsorted = symbols.findIndex((sym, i) => i > 0 && compareStrings(symbols[i - 1], sym) >= 0);
    expect(unsorted).toBe(-1);
    expect(symbols).toContain('\u{10ffff}');
  });

  it('writes an index without series', async () => {
    const { writer, sink } = IndexWriter.inMemory();
    writer.addSymbol('');
    writer.close();
    const reader = await IndexReader.open(new BufferByteSource(sink.bytes()));
    expect(reader.labelNames()).toEqual([]);
    expect(Array.from(await reader.allPostings())).toEqual([]);
    expect(reader.symbols()).toEqual(['']);
  });

  it('stores a label with an empty name like Prometheus (postings but no label index)', async () => {
    const odd = [
      { name: '', value: 'x' },
      { name: '__name__', value: 'rw_empty_name' },
    ];
    const plain = [{ name: '__name__', value: 'up' }];
    const reader = await IndexReader.open(new BufferByteSource(buildIndex([{ labels: plain }, { labels: odd }])));
    expect(reader.labelNames()).toEqual(['__name__']);
    const [ref] = await reader.postings('', 'x');
    expect((await reader.series(ref)).labels).toEqual(odd);
    expect(Array.from(await reader.allPostings()).length).toBe(2);
    expect([...(await reader.legacyLabelIndices()).keys()]).toEqual(['__name__']);
  });

  it('rejects misuse with IndexWriterError', () => {
    const ls = (v: string) => [{ name: 'a', value: v }];
    const make = () => {
      const { writer } = IndexWriter.inMemory();
      writer.addSymbols(collectSymbols([ls('1'), ls('2')]));
      return writer;
    };
    expect(() => IndexWriter.inMemory().writer.addSymbols(['b', 'a'])).toThrow(IndexWriterError);
    expect(() => IndexWriter.inMemory().writer.addSymbols(['a', 'a'])).toThrow(IndexWriterError);
    let w = make();
    w.addSeries(ls('2'));
    expect(() => w.addSeries(ls('1'))).toThrow(/out of order/);
    expect(() => w.addSeries(ls('2'))).toThrow(/out of order/);
    expect(() => w.addSymbol('z')).toThrow(IndexWriterError);
    w = make();
    expect(() => w.addSeries(ls('3'))).toThrow(/symbol "3" was not added/);
    expect(() => w.addSeries([])).toThrow(IndexWriterError);
    expect(() =>
      w.addSeries([
        { name: 'a', value: '1' },
        { name: 'a', value: '2' },
      ]),
    ).toThrow(/not sorted or not unique/);
    expect(() => w.addSeries(ls('1'), [{ ref: 8, mint: 10, maxt: 5 }])).toThrow(/maxt 5 < mint 10/);
    expect(() =>
      w.addSeries(ls('1'), [
        { ref: 8, mint: 0, maxt: 10 },
        { ref: 9, mint: 10, maxt: 20 },
      ]),
    ).toThrow(/not after the previous chunk/);
    w.close();
    expect(() => w.addSeries(ls('2'))).toThrow(/after close/);
  });

  it('collects the symbols Prometheus writes (with the empty string first)', () => {
    const syms = collectSymbols([[{ name: 'b', value: '😀' }], [{ name: 'a', value: '\uff5e' }]]);
    expect(syms).toEqual(['', 'a', 'b', '\uff5e', '😀']);
    expect([...series].sort((a, b) => compareLabels(a.labels, b.labels))).toEqual(series);
  });
});
