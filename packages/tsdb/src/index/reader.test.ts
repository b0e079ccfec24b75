import { describe, expect, it } from 'vitest';
import type { ByteRangeSource } from '../encoding/source';
import { BufferByteSource } from '../encoding/source';
import { getLabel, newMatcher } from '../labels';
import { buildIndex, INDEX_TOC_LEN, IndexReader } from './index';
import { syntheticSeries } from './testing';

/** An object-store-like source: asynchronous reads, each one recorded. */
class RecordingSource implements ByteRangeSource {
  readonly reads: [number, number][] = [];
  private readonly inner: BufferByteSource;
  constructor(bytes: Uint8Array) {
    this.inner = new BufferByteSource(bytes, 'bucket/index');
  }
  get size(): number {
    return this.inner.size;
  }
  get name(): string {
    return this.inner.name;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    await new Promise((r) => setImmediate(r));
    return this.inner.read(offset, length).slice();
  }
  bytesRead(): number {
    return this.reads.reduce((n, [, len]) => n + len, 0);
  }
}

describe('IndexReader over a range source', () => {
  const series = syntheticSeries(4000, 5);
  const bytes = buildIndex(series);

  it('opens with a few reads of the header, TOC, symbols and postings offset table only', async () => {
    const src = new RecordingSource(bytes);
    const reader = await IndexReader.open(src);
    expect(src.reads.length).toBeLessThanOrEqual(6);
    expect(src.reads).toContainEqual([bytes.length - INDEX_TOC_LEN, INDEX_TOC_LEN]);
    // Nothing of the series or postings sections was read.
    for (const [off, len] of src.reads) {
      const overlapsSeries = off < reader.toc.labelIndices && off + len > reader.toc.series;
      expect(overlapsSeries).toBe(false);
    }
    expect(src.bytesRead()).toBeLessThan(bytes.length / 2);
  });

  it('fetches neighbouring series and postings lists with shared reads', async () => {
    const src = new RecordingSource(bytes);
    const reader = await IndexReader.open(src);
    const opened = src.reads.length;
    const refs = await reader.postings('env', ['prod']);
    expect(src.reads.length).toBe(opened + 1);
    const before = src.reads.length;
    const entries = await reader.seriesMany(refs);
    expect(entries.every((e) => getLabel(e.labels, 'env') === 'prod')).toBe(true);
    expect(entries.length).toBeGreaterThan(100);
    expect(src.reads.length - before).toBeLessThan(entries.length / 10);
    // Many values of one name: one read for lists that lie back to back.
    const readsBefore = src.reads.length;
    const values = reader.labelValues('instance');
    const all = await reader.postings('instance', values);
    expect(all.length).toBe(series.length);
    expect(src.reads.length - readsBefore).toBe(1);
  });

  it('answers label names and values restricted by matchers', async () => {
    const reader = await IndexReader.open(new BufferByteSource(bytes));
    const refs = await reader.postingsForMatchers([newMatcher('=', '__name__', 'metric_3')]);
    const withName = series.filter((s) => getLabel(s.labels, '__name__') === 'metric_3');
    const names = new Set(withName.flatMap((s) => s.labels.map((l) => l.name)));
    expect(await reader.labelNamesFor(refs)).toEqual([...names].sort());
    const envs = new Set(withName.map((s) => getLabel(s.labels, 'env')).filter((v) => v !== undefined));
    expect(await reader.labelValuesFor('env', [newMatcher('=', '__name__', 'metric_3')])).toEqual([...envs].sort());
    expect(await reader.labelValuesFor('env', [newMatcher('=', '__name__', 'nope')])).toEqual([]);
  });

  it('fetches the postings of all values of a name with shared reads', async () => {
    const src = new RecordingSource(bytes);
    const reader = await IndexReader.open(src);
    const values = reader.labelValues('instance');
    const before = src.reads.length;
    const lists = await reader.postingsPerValue('instance', [values[3], 'missing', values[0]]);
    expect(src.reads.length - before).toBe(1);
    expect(lists.map((l) => l.length)).toEqual([
      (await reader.postings('instance', values[3])).length,
      0,
      (await reader.postings('instance', values[0])).length,
    ]);
    const m = [newMatcher('=~', '__name__', 'metric_(1|2)')];
    const readsBefore = src.reads.length;
    const instances = await reader.labelValuesFor('instance', m);
    expect(src.reads.length - readsBefore).toBeLessThanOrEqual(3);
    const want = new Set(
      series
        .filter((s) => ['metric_1', 'metric_2'].includes(getLabel(s.labels, '__name__')!))
        .map((s) => getLabel(s.labels, 'instance')!),
    );
    expect(instances).toEqual([...want].sort());
  });
});
