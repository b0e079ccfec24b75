import { describe, expect, it } from 'vitest';
import { GlobPatternError } from './errors';
import { GlobPattern } from './glob';

describe('GlobPattern (Go filepath.Match semantics)', () => {
  // Cases from the behaviour of Go's path/filepath.Match on Unix.
  const cases: [pattern: string, name: string, want: boolean][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[a/b]', '/', true],
    ['team-*', 'team-x', true],
    ['team-*', 'team-', true],
    ['team-*', 'teams', false],
    ['*x', 'xxx', true],
    ['', '', true],
    ['', 'a', false],
  ];
  it.each(cases)('%s matches %s: %s', (pattern, name, want) => {
    expect(new GlobPattern(pattern).matches(name)).toBe(want);
  });

  it.each(['[', '[^', '[^bc', 'a[', '[]a]', '[-]', '[x-]', '[-x]', '[a-b-c]', '\\', 'a\\', '[\\', '[a-\\'])(
    'refuses the malformed pattern %s',
    (pattern) => {
      expect(() => new GlobPattern(pattern)).toThrow(GlobPatternError);
      expect(() => new GlobPattern(pattern)).toThrow(/syntax error in pattern/);
    },
  );

  it('stays fast with many stars on a long name', () => {
    const pattern = new GlobPattern('*a*a*a*a*a*a*a*a*b');
    expect(pattern.matches('a'.repeat(20_000))).toBe(false);
  });
});
