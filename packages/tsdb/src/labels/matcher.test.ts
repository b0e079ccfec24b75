import { describe, expect, it } from 'vitest';
import { MatchType, newMatcher, RegexSyntaxError, type Matcher } from './index';

const re = (v: string) => newMatcher('=~', 'l', v);

function expectMatches(m: Matcher, yes: string[], no: string[] = []): void {
  for (const s of yes) expect(m.matches(s), `${m} should match ${JSON.stringify(s)}`).toBe(true);
  for (const s of no) expect(m.matches(s), `${m} should not match ${JSON.stringify(s)}`).toBe(false);
}

describe('Matcher', () => {
  it('compares equality and inequality exactly', () => {
    expectMatches(newMatcher(MatchType.Equal, 'job', 'api'), ['api'], ['', 'API', 'api ']);
    expectMatches(newMatcher(MatchType.NotEqual, 'job', 'api'), ['', 'API'], ['api']);
    expectMatches(newMatcher('=', 'job', ''), [''], ['x']);
  });

  it('anchors regexes at both ends', () => {
    expectMatches(re('foo'), ['foo'], ['foobar', 'xfoo', '']);
    expectMatches(re('o+'), ['o', 'ooo'], ['foo', 'oof']);
    expectMatches(re('a|bc'), ['a', 'bc'], ['abc', 'ab', 'b']);
    expectMatches(re('^foo$'), ['foo'], ['foo\n']);
    expectMatches(re('a\\z'), ['a'], ['a\n']);
    expectMatches(re(''), [''], ['a']);
  });

  it('negates regexes with !~', () => {
    expectMatches(newMatcher('!~', 'l', 'a.*'), ['', 'b', 'ba'], ['a', 'abc']);
  });

  it('keeps Prometheus 2.42 dot semantics: . does not match a newline unless (?s)', () => {
    expectMatches(re('.*'), ['', 'anything ☃'], ['a\nb']);
    expectMatches(re('.+'), ['x'], ['', '\n']);
    expectMatches(re('foo.*'), ['foo', 'foobar'], ['fo', 'xfoo', 'foo\nbar']);
    expectMatches(re('(?s).*'), ['', 'a\nb']);
    expectMatches(re('(?s)foo.+'), ['foo\n'], ['foo']);
    expectMatches(re('a.c'), ['abc', 'a☃c', 'a😀c'], ['a\nc', 'ac']);
  });

  it('exposes alternations of literals as a set for direct postings lookups', () => {
    expect(re('a|b|c').setMatches).toEqual(['a', 'b', 'c']);
    expect(re('(?:x|yy)|z').setMatches).toEqual(['x', 'yy', 'z']);
    expect(re('foo').setMatches).toEqual(['foo']);
    expect(re('a\\.b|c').setMatches).toEqual(['a.b', 'c']);
    expect(re('a.b|c').setMatches).toBeUndefined();
    expect(re('(?i)a|b').setMatches).toBeUndefined();
    expect(newMatcher('!~', 'l', 'a|b').setMatches).toBeUndefined();
    expectMatches(re('a|b|'), ['a', 'b', ''], ['ab']);
  });

  it('handles alternations of many literals, as dashboards send them', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `host-${i}.example.com:9100`);
    const m = re(values.map((v) => v.replace(/\./g, '\\.')).join('|'));
    expect(m.setMatches).toEqual(values);
    expectMatches(m, [values[0], values[4999]], ['host-5000.example.com:9100', 'host-1xexample.com:9100']);
    expectMatches(
      re(`(?:${values.slice(0, 1000).join('|')})x?`),
      ['host-999.example.com:9100x'],
      ['host-1000.example.com:9100'],
    );
  });

  it('folds case for (?i), including Unicode orbits, and only where the flag applies', () => {
    expectMatches(re('(?i)foo'), ['foo', 'FOO', 'fOo'], ['fo']);
    expectMatches(re('(?i)k'), ['k', 'K', '\u212a'], ['x']);
    expectMatches(re('(?i)straße'), ['Straße', 'STRAßE', 'STRA\u1e9eE'], ['strasse']);
    expectMatches(re('a(?i:b)c'), ['abc', 'aBc'], ['ABc', 'abC']);
    expectMatches(re('a(?i)b(?-i)c'), ['aBc'], ['aBC', 'Abc']);
    expectMatches(re('(?i)[a-c]+'), ['aBc', 'CCC'], ['d']);
    expectMatches(re('(?i)[^a]'), ['b'], ['a', 'A']);
  });

  it('translates Go-only syntax', () => {
    expectMatches(re('(?P<word>ab)+'), ['abab'], ['aba']);
    expectMatches(re('(?P<a>x)(?P<a>y)'), ['xy']);
    // A repetition after a flag group or an empty \Q\E applies to the item before it.
    expectMatches(re('a(?i)*'), ['', 'aaa'], ['A']);
    expectMatches(re('a*(?i)*b'), ['aab', 'b', 'aaB'], ['aAb']);
    expectMatches(re('a\\Q\\E{2}'), ['aa'], ['a']);
    expectMatches(re('\\Q.*+\\E'), ['.*+'], ['abc', '']);
    expectMatches(re('a\\Qb|c\\E'), ['ab|c'], ['ab']);
    expectMatches(re('[[:alpha:]]+'), ['abcXYZ'], ['abc1', 'é']);
    expectMatches(re('[[:^digit:]]'), ['a', '\n'], ['5']);
    expectMatches(re('[[:xdigit:][:space:]]+'), ['a f\t0'], ['g']);
    expectMatches(re('\\x41\\x{1F600}\\101\\0'), ['A😀A\0'], ['A😀A']);
    expectMatches(re('\\pL\\p{Greek}\\PN'), ['xλ.'], ['xλ1', '1λ.']);
    expectMatches(re('\\p{^Greek}'), ['a'], ['λ']);
    expectMatches(re('[\\p{Lu}\\d]+'), ['AB12'], ['ab']);
    expectMatches(re('[^\\PL]'), ['a'], ['1']);
    expectMatches(re('\\a\\f\\t\\n\\r\\v'), ['\x07\f\t\n\r\v']);
  });

  it('uses Go class meanings rather than JavaScript ones', () => {
    // Go's \s is [\t\n\f\r ]: no vertical tab, no Unicode spaces.
    expectMatches(re('\\s'), [' ', '\t', '\n', '\f', '\r'], ['\v', '\u00a0', '\u2003']);
    expectMatches(re('\\S'), ['\v', 'a'], [' ']);
    expectMatches(re('\\d'), ['7'], ['٣']);
    expectMatches(re('\\w+'), ['a_Z9'], ['é']);
    expectMatches(re('[^a]'), ['\n', '😀'], ['a']);
    expectMatches(re('[]a]+'), [']a]'], ['b']);
    expectMatches(re('[a-]+'), ['a-'], ['b']);
    expectMatches(re('\\bfoo\\b'), ['foo'], []);
    expectMatches(re('(?m)^a$\\n^b$'), ['a\nb'], ['a\nc']);
    expectMatches(re('^a$\\n'), [], ['a\n']);
  });

  it('treats { as a literal when it does not start a repetition', () => {
    expectMatches(re('a{,5}'), ['a{,5}'], ['aaaaa']);
    expectMatches(re('{'), ['{'], ['']);
    expectMatches(re('a{2}'), ['aa'], ['a', 'aaa']);
    expectMatches(re('a{2,}'), ['aa', 'aaaa'], ['a']);
    expectMatches(re('a{1,2}?b'), ['ab', 'aab'], ['aaab']);
    expectMatches(re('(?:ab){0,1000}'), ['', 'abab'], ['aba']);
  });

  it('rejects what RE2 rejects, with Go-like messages', () => {
    const cases: [string, string][] = [
      ['(?=a)', 'invalid or unsupported Perl syntax'],
      ['(?!a)', 'invalid or unsupported Perl syntax'],
      ['(?<=a)b', 'invalid'],
      ['(?<!a)b', 'invalid'],
      ['(?>a)', 'invalid or unsupported Perl syntax'],
      ['(?#c)', 'invalid or unsupported Perl syntax'],
      ['(a)\\1', 'invalid escape sequence'],
      ['\\8', 'invalid escape sequence'],
      ['\\Z', 'invalid escape sequence'],
      ['\\C', 'invalid escape sequence'],
      ['a**', 'invalid nested repetition operator'],
      ['a++', 'invalid nested repetition operator'],
      ['a{2}{3}', 'invalid nested repetition operator'],
      ['*a', 'missing argument to repetition operator'],
      ['(|*)', 'missing argument to repetition operator'],
      ['(a', 'missing closing )'],
      ['a)', 'unexpected )'],
      ['[a', 'missing closing ]'],
      ['[z-a]', 'invalid character class range'],
      ['[[:foo:]]', 'invalid character class range'],
      ['\\p{NoSuchScript}', 'invalid character class range'],
      ['a{1001}', 'invalid repeat count'],
      ['a{3,2}', 'invalid repeat count'],
      // Prometheus compiles `^(?:a\\)$` first: the backslash escapes the wrapper's `)`.
      ['a\\', 'missing closing )'],
      ['a\\Qb', 'missing closing )'],
      ['a)|(b', 'unexpected )'],
      ['(?P<a-b>x)', 'invalid named capture'],
      ['(?<n>x)', 'invalid or unsupported Perl syntax'],
    ];
    for (const [pattern, message] of cases) {
      expect(() => re(pattern), pattern).toThrow(RegexSyntaxError);
      expect(() => re(pattern), pattern).toThrow(message);
    }
    expect(() => newMatcher('!~', 'l', '(')).toThrow(RegexSyntaxError);
  });

  it('inverts and renders like Prometheus', () => {
    const m = newMatcher('=~', 'job', 'a"b.*');
    expect(m.toString()).toBe('job=~"a\\"b.*"');
    const inv = m.inverse();
    expect(inv.type).toBe('!~');
    expectMatches(inv, ['x'], ['a"b', 'a"bcd']);
    expect(newMatcher('=', 'a', 'b').inverse().toString()).toBe('a!="b"');
    expect(() => newMatcher('==' as MatchType, 'a', 'b')).toThrow(TypeError);
  });
});
