import { describe, expect, it } from 'vitest';
import { prng } from '../index/testing';
import { compileAnchoredRe2, parseRe2 } from './re2';
import { needsLinearTime, Re2Vm } from './re2-vm';
import { newMatcher } from './matcher';

/** Random patterns over a small alphabet, using most of the syntax. */
function randomPattern(rand: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const atom = (): string => {
    const r = rand();
    if (depth < 3 && r < 0.2) return `(${randomPattern(rand, depth + 1)})`;
    if (depth < 3 && r < 0.3) return `(?i:${randomPattern(rand, depth + 1)})`;
    return pick([
      'a',
      'b',
      'A',
      '.',
      '[ab]',
      '[^a]',
      '\\d',
      '\\s',
      '\\w',
      '[[:upper:]]',
      'k',
      '\\x{212a}',
      '\n',
      '^',
      '$',
      '\\b',
      '😀',
    ]);
  };
  const piece = (): string => atom() + pick(['', '', '', '*', '+', '?', '{2}', '{1,3}', '*?', '{0,}']);
  const branch = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, piece).join('');
  const n = 1 + (rand() < 0.3 ? Math.floor(rand() * 3) : 0);
  return Array.from({ length: n }, branch).join('|');
}

function randomInput(rand: () => number): string {
  const chars = ['a', 'b', 'A', 'B', '1', ' ', '\n', 'K', '\u212a', '😀', '_'];
  return Array.from({ length: Math.floor(rand() * 6) }, () => chars[Math.floor(rand() * chars.length)]).join('');
}

describe('RE2 translation', () => {
  it('gives the same answers from the JS RegExp and the linear-time matcher', () => {
    const rand = prng(99);
    let matched = 0;
    for (let i = 0; i < 800; i++) {
      const pattern = randomPattern(rand);
      let compiled;
      try {
        compiled = compileAnchoredRe2(pattern);
      } catch {
        continue; // e.g. a repeated empty-width assertion that RE2 also rejects
      }
      const vm = new Re2Vm(compiled.tree, pattern);
      for (let j = 0; j < 12; j++) {
        const s = randomInput(rand);
        const want = compiled.regexp.test(s);
        if (vm.test(s) !== want) expect({ pattern, s, vm: !want }).toEqual({ pattern, s, vm: want });
        if (want) matched++;
      }
    }
    expect(matched).toBeGreaterThan(500);
  });

  it('recognises patterns on which backtracking explodes', () => {
    expect(needsLinearTime(parseRe2('(a*)*b'))).toBe(true);
    expect(needsLinearTime(parseRe2('(a|aa)+$'))).toBe(true);
    expect(needsLinearTime(parseRe2('a*a*a*a*b'))).toBe(true);
    expect(needsLinearTime(parseRe2('.*foo.*'))).toBe(false);
    expect(needsLinearTime(parseRe2('foo-[0-9]+'))).toBe(false);
  });

  it('answers such patterns on long values', () => {
    const long = 'a'.repeat(20_000);
    expect(newMatcher('=~', 'l', '(a*)*b').matches(long)).toBe(false);
    expect(newMatcher('=~', 'l', '(a*)*b').matches(long + 'b')).toBe(true);
    expect(newMatcher('=~', 'l', '(a|aa)+c').matches(long)).toBe(false);
    expect(newMatcher('=~', 'l', 'a*a*a*a*a*a*c').matches(long)).toBe(false);
    expect(newMatcher('!~', 'l', '(?:a+)+c').matches(long)).toBe(true);
  });

  it('refuses programs that are too large', () => {
    expect(() => newMatcher('=~', 'l', '((((a{100}){100}){100})*)*')).toThrow(/expression too large/);
  });
});
