import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrometheus, promtool, tempDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { goQuote } from './labels';
import { seededRandom } from '@thanos-ts/testkit';
import { compileAnchoredRe2, parsePrometheusRegex, parseRe2 } from './re2';
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
    const rand = seededRandom(99);
    let matched = 0;
    for (let i = 0; i < 800; i++) {
      const pattern = randomPattern(rand);
      let tree;
      try {
        tree = parseRe2(pattern);
      } catch {
        continue; // e.g. a nested repetition, which RE2 rejects too
      }
      const regexp = compileAnchoredRe2(tree);
      const vm = new Re2Vm(tree, pattern);
      for (let j = 0; j < 12; j++) {
        const s = randomInput(rand);
        const want = regexp.test(s);
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

/** Label values for the oracle test: case variants, folding orbits, newlines, non-BMP. */
const ORACLE_VALUES = [
  'a',
  'A',
  'ab',
  'aB',
  'b',
  'abab',
  'x\ny',
  'xzy',
  'k',
  'K',
  '\u212a',
  'ß',
  '\u1e9e',
  'ſ',
  's',
  '1',
  '42',
  ' ',
  '\t',
  '\v',
  '\u00a0',
  '😀',
  'a😀',
  'λ',
  'Λ',
  'foo',
  'foobar',
  'FOO',
  'a.b',
  'a{,2}',
  '_w_',
  'a-b',
  'ü',
];

const ORACLE_PATTERNS = [
  'a',
  '(?i)a',
  'a|b',
  '.*',
  '.+',
  'x.y',
  '(?s)x.y',
  '(?i)k',
  '(?i)s',
  '(?i)ß',
  '\\s',
  '\\S',
  '\\d+',
  '\\w+',
  '[[:alpha:]]+',
  '[[:^alpha:]]',
  '\\pL+',
  '\\p{Greek}',
  '\\PL',
  '[^a]',
  'a\\z',
  '\\Aa',
  '(?m)^x$\\n^y$',
  '\\Qa.b\\E',
  'a{,2}',
  '(?P<g>ab)+',
  'a(?i:b)',
  '(?i)foo|bar',
  'foo.*',
  '.*bar',
  '[\\x{1F600}]',
  '\\x61',
  '\\141',
  '(?U)a+',
  '\\bfoo\\b',
  '[a-]+',
  '[]a]',
  '(a|ab)(c|bcd)?',
  '(?i)[^k]',
  '(?i)\\x{212a}',
  'a*a*a*b',
];

describe('regex semantics against Prometheus 2.42 (promtool test rules)', () => {
  it('selects exactly the series Prometheus selects', () => {
    ensurePrometheus();
    const rand = seededRandom(5);
    const patterns = [...ORACLE_PATTERNS];
    while (patterns.length < 300) {
      const p = randomPattern(rand);
      try {
        parseRe2(p);
        patterns.push(p);
      } catch {
        // RE2 rejects it too (nested repetition and the like); covered by the unit tests.
      }
    }
    const series = ORACLE_VALUES.map((v, i) => ({ selector: `m{v=${goQuote(v)}}`, value: v, sample: i }));
    const tests = patterns.map((p) => {
      const m = newMatcher('=~', 'v', p);
      return {
        expr: `m{v=~${goQuote(p)}}`,
        eval_time: '0',
        exp_samples: series.filter((s) => m.matches(s.value)).map((s) => ({ labels: s.selector, value: s.sample })),
      };
    });
    const spec = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series.map((s) => ({ series: s.selector, values: String(s.sample) })),
          promql_expr_test: tests,
        },
      ],
    };
    const dir = tempDir('re2-oracle-');
    try {
      const file = join(dir.path, 'test.json');
      writeFileSync(file, JSON.stringify(spec));
      const r = promtool(['test', 'rules', file]);
      expect(r.stdout + r.stderr).toContain('SUCCESS');
      expect(r.status).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});

/** Random strings over regex syntax characters: mostly invalid patterns. */
function randomSyntax(rand: () => number): string {
  const bits = [
    '(',
    ')',
    '(?',
    '(?:',
    '(?i)',
    '(?P<a>',
    '(?P<',
    '[',
    ']',
    '[^',
    '[:alpha:]',
    '{',
    '}',
    '{2}',
    '{1,',
    ',',
    '*',
    '+',
    '?',
    '|',
    '\\',
    '\\Q',
    '\\E',
    '\\p',
    '\\pL',
    '\\p{',
    '\\x',
    '\\x{',
    '1',
    'a',
    '-',
    '^',
    '$',
    '.',
    '\\8',
    '\\0',
    '\\z',
    '\\Z',
    '\\C',
    ':',
    '<',
    '>',
    '=',
    '!',
  ];
  return Array.from({ length: 1 + Math.floor(rand() * 6) }, () => bits[Math.floor(rand() * bits.length)]).join('');
}

describe('regex syntax errors against Prometheus 2.42 (promtool check rules)', () => {
  it('accepts and rejects the same patterns, with the same error kind', () => {
    ensurePrometheus();
    const rand = seededRandom(17);
    const patterns: string[] = [...ORACLE_PATTERNS];
    for (let i = 0; i < 400; i++) patterns.push(randomPattern(rand), randomSyntax(rand));
    const mine = patterns.map((p) => {
      try {
        parsePrometheusRegex(p);
        return 'ok';
      } catch (e) {
        return (e as Error).message.replace(/^error parsing regexp: /, '').replace(/: `.*$/s, '');
      }
    });
    const rules = patterns.map((p, i) => ({ record: `r${i}`, expr: `m{v=~${goQuote(p)}}` }));
    const dir = tempDir('re2-syntax-');
    try {
      const file = join(dir.path, 'rules.json');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'g', rules }] }));
      const r = promtool(['check', 'rules', file]);
      const theirs = patterns.map(() => 'ok');
      for (const m of (r.stdout + r.stderr).matchAll(
        /rule (\d+), "r\d+": could not parse expression: .*?error parsing regexp: ([^:]+)/g,
      )) {
        theirs[Number(m[1]) - 1] = m[2];
      }
      const diffs = patterns
        .map((p, i) => ({ pattern: p, mine: mine[i], prometheus: theirs[i] }))
        .filter((d) => d.mine !== d.prometheus);
      expect(diffs).toEqual([]);
      expect(theirs.filter((t) => t !== 'ok').length).toBeGreaterThan(50);
    } finally {
      dir.cleanup();
    }
  });
});
