import { describe, expect, it } from 'vitest';
import type { Label } from '../types';
import { matchExternalLabels, removeLabels, withExternalLabels } from './external-labels';
import { compareLabels, compareUtf8 } from './labels';
import {
  compileAnchoredRegex,
  fromLabelMatchers,
  InvalidMatcherError,
  matchLabels,
  toLabelMatchers,
  type Matcher,
} from './matchers';

const L = (o: Record<string, string>): Label[] => Object.entries(o).map(([name, value]) => ({ name, value }));

describe('label ordering', () => {
  it('compares strings by UTF-8 bytes', () => {
    const sorted = ['b', 'a', '\u{10000}', '\uE000', 'ab', ''].sort(compareUtf8);
    expect(sorted).toEqual(['', 'a', 'ab', 'b', '\uE000', '\u{10000}']);
    expect(sorted.map((s) => Buffer.from(s))).toEqual(sorted.map((s) => Buffer.from(s)).sort(Buffer.compare));
  });

  it('compares label sets name first, then value, prefix first', () => {
    expect(compareLabels(L({ a: '1' }), L({ a: '1', b: '1' }))).toBeLessThan(0);
    expect(compareLabels(L({ a: '2' }), L({ a: '1', b: '1' }))).toBeGreaterThan(0);
    expect(compareLabels(L({ a: '1', c: '1' }), L({ a: '1', b: '9' }))).toBeGreaterThan(0);
    expect(compareLabels(L({ a: '1' }), L({ a: '1' }))).toBe(0);
  });
});

describe('matchers', () => {
  const simple: Matcher[] = [
    { type: '=', name: '__name__', value: 'up' },
    { type: '!=', name: 'job', value: 'x' },
    { type: '=~', name: 'instance', value: 'host-[0-9]+' },
    { type: '!~', name: 'env', value: 'dev|test' },
  ];

  it('converts to the storepb form (EQ=0, NEQ=1, RE=2, NRE=3) and back', () => {
    const wire = toLabelMatchers(simple);
    expect(wire.map((m) => m.type)).toEqual([0, 1, 2, 3]);
    expect(fromLabelMatchers(wire)).toEqual(simple);
    expect(() => fromLabelMatchers([{ type: 7 as never, name: 'a', value: '' }])).toThrow(InvalidMatcherError);
  });

  it('anchors regexes fully and treats a missing label as empty', () => {
    expect(matchLabels(simple, L({ __name__: 'up', instance: 'host-12', job: 'y' }))).toBe(true);
    expect(matchLabels(simple, L({ __name__: 'up', instance: 'xhost-12' }))).toBe(false);
    expect(matchLabels(simple, L({ __name__: 'up', instance: 'host-1', env: 'dev' }))).toBe(false);
    expect(matchLabels([{ type: '=~', name: 'missing', value: '.*' }], L({ a: 'b' }))).toBe(true);
    expect(matchLabels([{ type: '=', name: 'missing', value: '' }], L({ a: 'b' }))).toBe(true);
  });

  it('supports leading RE2 flag groups and rejects invalid regexes with INVALID_ARGUMENT', () => {
    expect(compileAnchoredRegex('(?i)UP').test('up')).toBe(true);
    const err = (() => {
      try {
        compileAnchoredRegex('a(b');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidMatcherError);
    expect((err as InvalidMatcherError).grpcStatus).toBe(3);
    expect((err as Error).message).toContain('"a(b"');
  });
});

describe('external labels', () => {
  const ext = L({ cluster: 'eu', replica: 'r0' });

  it('adds external labels to a series, sorted, external value winning', () => {
    expect(withExternalLabels(L({ __name__: 'up', cluster: 'us', zone: 'a' }), ext)).toEqual(
      L({ __name__: 'up', cluster: 'eu', replica: 'r0', zone: 'a' }),
    );
    expect(withExternalLabels(L({ a: '1' }), [])).toEqual(L({ a: '1' }));
  });

  it('uses up matchers on external labels and rejects requests they contradict', () => {
    const job: Matcher = { type: '=', name: 'job', value: 'api' };
    expect(matchExternalLabels([{ type: '=~', name: 'cluster', value: 'e.*' }, job], ext)).toEqual({
      matches: true,
      remaining: [job],
    });
    expect(matchExternalLabels([{ type: '=', name: 'cluster', value: 'us' }, job], ext).matches).toBe(false);
    expect(matchExternalLabels([{ type: '!=', name: 'replica', value: 'r0' }], ext).matches).toBe(false);
    expect(matchExternalLabels([job], [])).toEqual({ matches: true, remaining: [job] });
  });

  it('removes named labels', () => {
    expect(removeLabels(L({ a: '1', replica: 'x', z: '2' }), new Set(['replica']))).toEqual(L({ a: '1', z: '2' }));
  });
});
