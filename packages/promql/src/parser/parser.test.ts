import { describe, expect, it } from 'vitest';
import type { BinaryExpr, Expr } from './ast';
import { formatDuration, parseDuration } from './duration';
import { MAX_NESTING_DEPTH, ParseError, parseExpr, parseMetricSelector } from './parser';
import { exprToString } from './printer';

/** Fully parenthesised structure of binary/unary nodes, to check precedence and associativity. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'BinaryExpr':
      return `(${shape(e.lhs)} ${e.op} ${shape(e.rhs)})`;
    case 'UnaryExpr':
      return `(${e.op}${shape(e.expr)})`;
    case 'ParenExpr':
      return shape(e.expr);
    case 'NumberLiteral':
      return String(e.value);
    case 'VectorSelector':
      return e.name;
    default:
      return exprToString(e);
  }
}

function parseError(q: string): string {
  try {
    parseExpr(q);
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(q)} to fail`);
}

describe('operator precedence and associativity', () => {
  it.each([
    ['a + b * c', '(a + (b * c))'],
    ['a * b + c', '((a * b) + c)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b / c', '((a / b) / c)'],
    ['a ^ b ^ c', '(a ^ (b ^ c))'],
    ['a * b ^ c', '(a * (b ^ c))'],
    ['a + b > c', '((a + b) > c)'],
    ['a > b and c', '((a > b) and c)'],
    ['a and b or c unless d', '((a and b) or (c unless d))'],
    ['a or b and c', '(a or (b and c))'],
    ['a atan2 b * c', '((a atan2 b) * c)'],
    ['-a ^ b', '(-(a ^ b))'],
    ['-a * b', '((-a) * b)'],
    ['-1 ^ 2', '(-(1 ^ 2))'],
    ['2 ^ -1', '(2 ^ -1)'],
    ['-1 * 2', '(-1 * 2)'],
    ['1 - -1', '(1 - -1)'],
    ['+a', '(+a)'],
    ['a == bool b + c', '(a == (b + c))'],
  ])('%s parses as %s', (q, want) => {
    expect(shape(parseExpr(q))).toBe(want);
  });

  it('records bool and vector matching on the operator', () => {
    const e = parseExpr('a > bool on(x, y) group_left(z) b') as BinaryExpr;
    expect(e.returnBool).toBe(true);
    expect(e.matching).toEqual({ card: 'many-to-one', matchingLabels: ['x', 'y'], on: true, include: ['z'] });
    expect((parseExpr('a and b') as BinaryExpr).matching?.card).toBe('many-to-many');
    expect((parseExpr('a + 1') as BinaryExpr).matching).toBeNull();
  });
});

describe('literals', () => {
  it.each([
    ['0x1F', 31],
    ['0755', 493],
    ['1e3', 1000],
    ['.5', 0.5],
    ['5.', 5],
    ['-Inf', -Infinity],
    ['inf', Infinity],
  ])('number %s = %d', (q, v) => {
    const e = parseExpr(q);
    expect(e.kind === 'NumberLiteral' && e.value).toBe(v);
  });

  it('parses NaN and strings with Go escapes', () => {
    const nan = parseExpr('NaN');
    expect(nan.kind === 'NumberLiteral' && Number.isNaN(nan.value)).toBe(true);
    const s = parseExpr('"a\\tb\\x41\\u00e9\\101"');
    expect(s.kind === 'StringLiteral' && s.value).toBe('a\tbAéA');
    const raw = parseExpr('`a\\tb`');
    expect(raw.kind === 'StringLiteral' && raw.value).toBe('a\\tb');
    const single = parseExpr("'it\\'s'");
    expect(single.kind === 'StringLiteral' && single.value).toBe("it's");
  });
});

describe('selectors and modifiers', () => {
  it('parses matchers, ranges, offsets and @', () => {
    const e = parseExpr('rate(foo{a="b", c!~"d.*"}[1h30m] offset -5m @ 100.5)');
    expect(e.kind).toBe('Call');
    const ms = e.kind === 'Call' ? e.args[0] : null;
    expect(ms?.kind).toBe('MatrixSelector');
    if (ms?.kind !== 'MatrixSelector') return;
    expect(ms.range).toBe(5_400_000);
    expect(ms.vs.offset).toBe(-300_000);
    expect(ms.vs.timestamp).toBe(100_500);
    expect(ms.vs.matchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual(['a=b', 'c!~d.*', '__name__=foo']);
  });

  it('parses subqueries with and without step', () => {
    const e = parseExpr('max_over_time(rate(x[1m])[1h:5m] @ end())');
    const sq = e.kind === 'Call' ? e.args[0] : null;
    expect(sq?.kind === 'SubqueryExpr' && [sq.range, sq.step, sq.startOrEnd]).toEqual([3_600_000, 300_000, 'end']);
    const noStep = parseExpr('x[5m:]');
    expect(noStep.kind === 'SubqueryExpr' && noStep.step).toBe(0);
  });

  it('accepts aggregation names and start/end as metric names', () => {
    expect(exprToString(parseExpr('sum + avg'))).toBe('sum + avg');
    expect(exprToString(parseExpr('rate(start[5m])'))).toBe('rate(start[5m])');
  });
});

describe('aggregations', () => {
  it('accepts the grouping clause before or after', () => {
    expect(exprToString(parseExpr('sum(x) by (a, b)'))).toBe('sum by (a, b) (x)');
    expect(exprToString(parseExpr('sum without (a) (x)'))).toBe('sum without (a) (x)');
    expect(exprToString(parseExpr('topk by (a) (3, x)'))).toBe('topk by (a) (3, x)');
    expect(exprToString(parseExpr('count_values("v", x)'))).toBe('count_values("v", x)');
  });
});

describe('printer', () => {
  it.each([
    'sum by (job) (rate(http_requests_total{code=~"5.."}[5m] offset 1h))',
    'a / on(x) group_left(y) b',
    'a > bool ignoring(z) b',
    'foo @ 1609746000.000',
    'foo[5m:] @ start()',
    '-(a + b)',
    'histogram_quantile(0.9, sum by (le) (rate(x_bucket[10m])))',
    'label_replace(up, "dst", "v", "src", "(.*)")',
    '{__name__=~"a|b"}',
    '1e+06',
  ])('prints %s back unchanged', (q) => {
    expect(exprToString(parseExpr(q))).toBe(q);
  });
});

describe('errors carry positions and Prometheus wording', () => {
  it.each([
    ['foo{a="b"', '1:10: parse error: unexpected end of input inside braces'],
    ['(1))', "1:5: parse error: unexpected right parenthesis ')'"],
    ['((1)', '1:5: parse error: unclosed left parenthesis'],
    ['1 +', '1:4: parse error: unexpected end of input'],
    ['*1', '1:1: parse error: unexpected <op:*>'],
    ['foo bar', '1:5: parse error: unexpected identifier "bar"'],
    ['rate(foo)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
    ['abs(foo[5m])', '1:5: parse error: expected type instant vector in call to function "abs", got range vector'],
    ['nonexistent(foo)', '1:1: parse error: unknown function with name "nonexistent"'],
    ['floor()', '1:1: parse error: expected 1 argument(s) in call to "floor", got 0'],
    ['round(foo, 1, 2)', '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3'],
    ['label_join(foo)', '1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1'],
    [
      'topk(some_metric)',
      '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
    ],
    ['sum(foo[5m])', '1:5: parse error: expected type instant vector in aggregation expression, got range vector'],
    ['1 == 1', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
    ['1 and foo', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
    ['foo and on(a) group_left(b) bar', '1:1: parse error: no grouping allowed for "and" operation'],
    ['foo[5m] + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
    ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{a=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
    ['foo[5m] offset 1m offset 2m', '1:1: parse error: offset may not be set multiple times'],
    [
      '1 offset 1m',
      '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    ],
    ['(foo + bar)[5m]', '1:12: parse error: ranges only allowed for vector selectors'],
    ['foo[5mm]', '1:5: parse error: bad duration syntax: "5mm"'],
    ['foo[1]', '1:5: parse error: missing unit character in duration'],
    ['foo[0m]', '1:5: parse error: duration must be greater than 0'],
    ['foo{a=~"("}', '1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
    ['"\\c"', "1:1: parse error: unknown escape sequence U+0063 'c'"],
    ['foo\n  + * bar', '2:5: parse error: unexpected <op:*>'],
    ['', '1:1: parse error: no expression found in input'],
  ])('%j', (q, want) => {
    expect(parseError(q)).toBe(want);
  });
});

describe('hostile input', () => {
  it('rejects 10000 nested parentheses with an error instead of overflowing the stack', () => {
    const q = '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    expect(parseError(q)).toMatch(/expression nesting is too deep \(more than \d+ levels\)/);
  });

  it('rejects deeply nested calls and long right-associative chains', () => {
    expect(parseError('abs('.repeat(5000) + 'x' + ')'.repeat(5000))).toMatch(/nesting is too deep/);
    expect(parseError(Array(5000).fill('2').join(' ^ '))).toMatch(/nesting is too deep/);
  });

  it('rejects long left-associative chains that would nest too deeply to evaluate', () => {
    expect(parseError(Array(5000).fill('x').join(' + '))).toMatch(/nesting is too deep/);
    expect(() =>
      parseExpr(
        Array(MAX_NESTING_DEPTH - 10)
          .fill('x')
          .join(' + '),
      ),
    ).not.toThrow();
  });

  it('rejects ranges beyond what Prometheus can represent', () => {
    expect(parseError('foo[300000y]')).toBe('1:5: parse error: duration out of range: "300000y"');
    expect(() => parseExpr('rate(foo[100y])')).not.toThrow();
  });
});

describe('durations', () => {
  it('parses and formats Prometheus durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1y2w3d4h5m6s7ms')).toBe(((((365 + 14 + 3) * 24 + 4) * 60 + 5) * 60 + 6) * 1000 + 7);
    expect(() => parseDuration('5m1h')).toThrow('not a valid duration string');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(86_400_000 * 8)).toBe('1w1d');
  });
});

describe('parseMetricSelector', () => {
  it('returns the matchers of a series selector', () => {
    expect(parseMetricSelector('up{job=~"a|b"}').map((m) => `${m.name}${m.type}${m.value}`)).toEqual([
      'job=~a|b',
      '__name__=up',
    ]);
    expect(parseMetricSelector('{__name__="x"}')).toHaveLength(1);
  });

  it('rejects anything else', () => {
    expect(() => parseMetricSelector('rate(x[5m])')).toThrow(ParseError);
    expect(() => parseMetricSelector('x offset 5m')).toThrow('expected a series selector');
    expect(() => parseMetricSelector('{}')).toThrow('vector selector must contain at least one non-empty matcher');
  });
});
