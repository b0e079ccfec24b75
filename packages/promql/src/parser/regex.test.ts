import { describe, expect, it } from 'vitest';
import { compileAnchoredRegex, expandTemplate, RegexError } from './regex';

// Matching behaviour follows Go's regexp (RE2); these expectations were checked against
// Prometheus 2.42 with `promtool test rules`.

const matches = (re: string, s: string): boolean => compileAnchoredRegex(re).test(s);

describe('RE2 semantics in JS', () => {
  it.each([
    ['(?i)abc', 'aBC', true],
    ['(?i:A)bc', 'abc', true],
    ['a(?i)BC', 'abc', true],
    ['a(?i:b)C', 'abc', false],
    ['(?i)k', '\u212a', true],
    ['(?i)s', '\u017f', true],
    ['(?i)[^a-z]+', '\u017f', false],
    ['a.b', 'a\rb', true],
    ['a.b', 'a\nb', false],
    ['(?s)a.b', 'a\nb', true],
    ['a\\sb', 'a\vb', false],
    ['a\\sb', 'a\tb', true],
    ['[[:alpha:]]+', 'abcXYZ', true],
    ['[[:^alpha:]]+', '12-', true],
    ['\\pL+', 'é日本', true],
    ['\\p{Greek}', 'ω', true],
    ['\\Qx.y\\E', 'xzy', false],
    ['\\Qx.y\\E', 'x.y', true],
    ['\\x61\\x{62}\\143', 'abc', true],
    ['(?P<name>a)b', 'ab', true],
    ['a{2,3}', 'aaaa', false],
    ['[]a]+', ']a', true],
    ['abc|', '', true],
    ['x{', 'x{', true],
    ['.', '日', true],
  ])('%s on %j: %s', (re, s, want) => {
    expect(matches(re, s)).toBe(want);
  });

  it('is fully anchored', () => {
    expect(matches('b', 'abc')).toBe(false);
    expect(matches('a|b', 'ab')).toBe(false);
  });
});

describe('RE2 syntax errors', () => {
  it.each([
    ['(', 'error parsing regexp: missing closing ): `^(?:()$`'],
    ['a)', 'error parsing regexp: unexpected ): `^(?:a))$`'],
    ['[a', 'error parsing regexp: missing closing ]: `[a)$`'],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['*a', 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['x{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['a{2,1}', 'error parsing regexp: invalid repeat count: `{2,1}`'],
    ['\\8', 'error parsing regexp: invalid escape sequence: `\\8`'],
    ['\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
  ])('%s', (re, msg) => {
    expect(() => compileAnchoredRegex(re)).toThrow(RegexError);
    expect(() => compileAnchoredRegex(re)).toThrow(msg);
  });
});

describe('expandTemplate (Go Regexp.Expand)', () => {
  const m = /^(?<first>a)(b)?(c)$/.exec('ac')!;
  it.each([
    ['$1-$3', 'a-c'],
    ['${1}x', 'ax'],
    ['$1x', ''],
    ['$first', 'a'],
    ['${first}_', 'a_'],
    ['$2', ''],
    ['$9', ''],
    ['$$1', '$1'],
    ['cost: $', 'cost: $'],
  ])('%s -> %j', (tpl, want) => {
    expect(expandTemplate(tpl, m)).toBe(want);
  });
});
