import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@thanos-ts/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferByteSource } from '../encoding/source';
import { getLabel, newMatcher, type Labels, type Matcher, type MatchType } from '../labels';
import { buildIndex, IndexReader, postingsForMatchers, type PostingsReader } from './index';
import { seededRandom } from '@thanos-ts/testkit';
import { syntheticSeries } from './testing';

interface Corpus {
  reader: IndexReader;
  refs: ArrayLike<number>;
  labels: Labels[];
}

async function corpus(bytes: Uint8Array): Promise<Corpus> {
  const reader = await IndexReader.open(new BufferByteSource(bytes));
  const refs = await reader.allPostings();
  const labels = (await reader.seriesMany(refs)).map((s) => s.labels);
  return { reader, refs, labels };
}

/** The definition: every matcher accepts the series' value, an absent label being "". */
function bruteForce(c: Corpus, ms: readonly Matcher[]): number[] {
  if (ms.length === 0) return [];
  const out: number[] = [];
  c.labels.forEach((ls, i) => {
    if (ms.every((m) => m.matches(getLabel(ls, m.name) ?? ''))) out.push(c.refs[i]);
  });
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function randomMatchers(c: Corpus, rand: () => number): Matcher[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const names = [...c.reader.labelNames(), 'absent_label'];
  const n = 1 + Math.floor(rand() * 3);
  const out: Matcher[] = [];
  for (let i = 0; i < n; i++) {
    const name = pick(names);
    const values = c.reader.labelValues(name);
    const value = () => (values.length > 0 && rand() < 0.8 ? pick(values) : pick(['', 'nope']));
    const type = pick<MatchType>(['=', '!=', '=~', '!~']);
    if (type === '=' || type === '!=') {
      out.push(newMatcher(type, name, value()));
      continue;
    }
    const v = escapeRe(value());
    const pattern = pick([
      v,
      `${v}|${escapeRe(value())}`,
      `${v}|`,
      '.*',
      '.+',
      '',
      `${v.slice(0, 2)}.*`,
      `.*${v.slice(-1)}`,
      `(?i)${v}`,
      `[a-m].*`,
      `.*[0-9]+.*`,
      `(${v}|x)+`,
    ]);
    out.push(newMatcher(type, name, pattern));
  }
  return out;
}

async function checkRandom(c: Corpus, seed: number, rounds: number): Promise<number> {
  const rand = seededRandom(seed);
  let nonEmpty = 0;
  for (let i = 0; i < rounds; i++) {
    const ms = randomMatchers(c, rand);
    const got = Array.from(await c.reader.postingsForMatchers(ms));
    const want = bruteForce(c, ms);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      expect({ matchers: ms.map(String), got }).toEqual({ matchers: ms.map(String), got: want });
    }
    if (want.length > 0) nonEmpty++;
  }
  return nonEmpty;
}

describe('postingsForMatchers', () => {
  let fixture: Corpus;
  let synthetic: Corpus;
  beforeAll(async () => {
    const block = join(fixturesDir, 'openmetrics-blocks', 'blocks', '01M87WZDTJRFQV7EVDRVH2M3VB', 'index');
    fixture = await corpus(readFileSync(block));
    synthetic = await corpus(buildIndex(syntheticSeries(10_000, 3)));
  });

  it('selects what the matchers select one series at a time (fixture block)', async () => {
    const nonEmpty = await checkRandom(fixture, 1, 1000);
    expect(nonEmpty).toBeGreaterThan(200);
  });

  it('selects what the matchers select one series at a time (10k synthetic series)', async () => {
    const nonEmpty = await checkRandom(synthetic, 2, 120);
    expect(nonEmpty).toBeGreaterThan(25);
  });

  it('treats empty-matching matchers as also selecting series without the label', async () => {
    const sel = (ms: Matcher[]) => fixture.reader.postingsForMatchers(ms).then((r) => Array.from(r));
    const all = Array.from(fixture.refs);
    const withLe = await fixture.reader.postings('le', fixture.reader.labelValues('le'));
    expect(withLe.length).toBeGreaterThan(0);
    const withoutLe = all.filter((r) => !Array.from(withLe).includes(r));
    expect(await sel([newMatcher('=', 'le', '')])).toEqual(withoutLe);
    expect(await sel([newMatcher('!=', 'le', '')])).toEqual(Array.from(withLe));
    expect(await sel([newMatcher('=~', 'le', '|0.1')])).toEqual(
      all.filter((r) => withoutLe.includes(r) || fixture.labels[all.indexOf(r)].some((l) => l.value === '0.1')),
    );
    expect(await sel([newMatcher('!=', 'le', '0.1')])).toEqual(
      all.filter((r) => !fixture.labels[all.indexOf(r)].some((l) => l.name === 'le' && l.value === '0.1')),
    );
    expect(await sel([newMatcher('=~', 'no_such', '.*')])).toEqual(all);
    expect(await sel([newMatcher('=~', 'no_such', '.+')])).toEqual([]);
    expect(await sel([])).toEqual([]);
  });

  it('works over any PostingsReader, synchronous or not', async () => {
    const lists: Record<string, number[]> = {
      '\u0000': [1, 2, 3, 4],
      'a\u0000x': [1, 3],
      'a\u0000y': [2],
      'b\u0000z': [3, 4],
    };
    const ix: PostingsReader = {
      labelValues: (name) => ({ a: ['x', 'y'], b: ['z'] })[name] ?? [],
      postings: (name, values) =>
        [...new Set(values.flatMap((v) => lists[`${name}\u0000${v}`] ?? []))].sort((p, q) => p - q),
    };
    expect(await postingsForMatchers(ix, [newMatcher('=~', 'a', 'x|y'), newMatcher('!=', 'b', 'z')])).toEqual([1, 2]);
    expect(await postingsForMatchers(ix, [newMatcher('!~', 'a', 'x')])).toEqual([2, 4]);
    expect(await postingsForMatchers(ix, [newMatcher('=', 'b', 'z'), newMatcher('=~', 'a', '.*')])).toEqual([3, 4]);
  });
});
