import { describe, expect, it } from 'vitest';
import { MetricMetadataStore } from './metadata-store';

const entry = (name: string, help = `${name} help`, type = 'counter') => ({
  type,
  metricFamilyName: name,
  help,
  unit: '',
});
const all = { metric: '', limit: 0, partialResponseStrategy: 0 as const };

describe('MetricMetadataStore', () => {
  it('keeps distinct descriptions per family, without repeats, and filters by metric and limit', () => {
    const store = new MetricMetadataStore();
    store.record([entry('a'), entry('b'), entry('a'), entry('a', 'other help'), entry('')]);
    expect(store.metricMetadata(all)).toEqual({
      b: [{ type: 'counter', help: 'b help', unit: '' }],
      a: [
        { type: 'counter', help: 'a help', unit: '' },
        { type: 'counter', help: 'other help', unit: '' },
      ],
    });
    expect(store.metricMetadata({ ...all, metric: 'b' })).toEqual({
      b: [{ type: 'counter', help: 'b help', unit: '' }],
    });
    expect(store.metricMetadata({ ...all, metric: 'missing' })).toEqual({});
    expect(Object.keys(store.metricMetadata({ ...all, limit: 1 }))).toEqual(['b']);
  });

  it('forgets the least recently seen family beyond its bound', () => {
    const store = new MetricMetadataStore(2);
    store.record([entry('a'), entry('b')]);
    store.record([entry('a'), entry('c')]);
    expect(store.size).toBe(2);
    expect(Object.keys(store.metricMetadata(all)).sort()).toEqual(['a', 'c']);
  });
});
