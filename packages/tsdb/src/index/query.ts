// Selecting series by label matchers over any postings source (block index or head),
// with the semantics of Prometheus 2.42's `PostingsForMatchers` (tsdb/querier.go).
import type { Matcher } from '../labels/matcher';
import { ALL_POSTINGS_NAME, ALL_POSTINGS_VALUE } from './format';
import { intersectPostings, seek, withoutPostings } from './postings';

type MaybePromise<T> = T | Promise<T>;

/** What matcher evaluation needs from an index. */
export interface PostingsReader {
  /** Sorted values of a label name. */
  labelValues(name: string): MaybePromise<readonly string[]>;
  /** Sorted, deduplicated series references having `name` set to any of `values`. */
  postings(name: string, values: readonly string[]): MaybePromise<ArrayLike<number>>;
  /** Optional batch form: the postings of each value separately, in the order given. */
  postingsPerValue?(name: string, values: readonly string[]): MaybePromise<ArrayLike<number>[]>;
}

/**
 * Sorted references of the series matching every matcher. A matcher that matches the
 * empty string also selects series that lack the label (`{a=""}`, `{a!="x"}`, `{a=~"x|"}`),
 * so those are evaluated as "all series minus the ones whose value does not match".
 * An empty matcher list selects nothing.
 */
export async function postingsForMatchers(ix: PostingsReader, matchers: readonly Matcher[]): Promise<number[]> {
  const its: ArrayLike<number>[] = [];
  const notIts: ArrayLike<number>[] = [];
  const all = () => ix.postings(ALL_POSTINGS_NAME, [ALL_POSTINGS_VALUE]);
  // A label that some matcher requires to be non-empty: series without it are out anyway.
  const mustBeSet = new Set(matchers.filter((m) => !m.matches('')).map((m) => m.name));

  for (const m of matchers) {
    if (m.name === ALL_POSTINGS_NAME && m.value === ALL_POSTINGS_VALUE) {
      its.push(await all());
    } else if (mustBeSet.has(m.name)) {
      const isNot = m.type === '!=' || m.type === '!~';
      let it: ArrayLike<number>;
      if (isNot && m.matches('')) {
        // {l=~".+", l!="foo"}: subtract the series with l="foo".
        notIts.push(await postingsForMatcher(ix, m.inverse()));
        continue;
      } else if (isNot) {
        // l!="" or l!~"|x": every series with a value that the inverse rejects.
        it = await inversePostingsForMatcher(ix, m.inverse());
      } else {
        it = await postingsForMatcher(ix, m);
      }
      if (it.length === 0) return [];
      its.push(it);
    } else {
      // Matches "": keep series without the label, remove those with a non-matching value.
      notIts.push(await inversePostingsForMatcher(ix, m));
    }
  }

  if (its.length === 0 && notIts.length > 0) its.push(await all());
  let result = intersectPostings(its);
  for (const n of notIts) {
    if (result.length === 0) break;
    result = withoutPostings(result, n);
  }
  return result;
}

/** Series whose label `m.name` is set and matches `m` (never series without the label). */
async function postingsForMatcher(ix: PostingsReader, m: Matcher): Promise<ArrayLike<number>> {
  if (m.type === '=') return ix.postings(m.name, [m.value]);
  const set = m.setMatches;
  if (set !== undefined) return ix.postings(m.name, set);
  const values = await ix.labelValues(m.name);
  const matching = values.filter((v) => m.matches(v));
  return matching.length === 0 ? [] : ix.postings(m.name, matching);
}

/** Series whose label `m.name` is set to a value that `m` does not match. */
async function inversePostingsForMatcher(ix: PostingsReader, m: Matcher): Promise<ArrayLike<number>> {
  const values = await ix.labelValues(m.name);
  const rejected = m.type === '=' && m.value === '' ? values : values.filter((v) => !m.matches(v));
  return rejected.length === 0 ? [] : ix.postings(m.name, rejected);
}

/**
 * Sorted values of label `name` among the series selected by `matchers` (Prometheus's
 * `labelValuesWithMatchers`): a value is kept when its postings meet the selection.
 */
export async function labelValuesForMatchers(
  ix: PostingsReader,
  name: string,
  matchers: readonly Matcher[],
): Promise<string[]> {
  const selected = await postingsForMatchers(ix, matchers);
  if (selected.length === 0) return [];
  const values = await ix.labelValues(name);
  const lists = ix.postingsPerValue
    ? await ix.postingsPerValue(name, values)
    : await Promise.all(values.map((v) => ix.postings(name, [v])));
  return values.filter((_, i) => intersects(lists[i], selected));
}

function intersects(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    j = seek(b, a[i], j);
    if (j >= b.length) return false;
    if (b[j] === a[i]) return true;
  }
  return false;
}
