import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../labels';
import { isStaleAt } from '../storage';
import { parseSeriesDesc, parseTestFile, TestFileError } from './dsl';
import { almostEqual, runTestContent } from './runner';

describe('series descriptions', () => {
  it('expands items like promql/test.go', () => {
    const d = parseSeriesDesc('http_requests{job="api", instance="0"} 0+10x3 _ 7 _x2 -1-2x2 5x2 stale');
    expect(d.labels).toEqual(labelsFromRecord({ __name__: 'http_requests', job: 'api', instance: '0' }));
    expect(d.present).toEqual([
      true,
      true,
      true,
      true,
      false,
      true,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(Array.from(d.values.slice(0, 4))).toEqual([0, 10, 20, 30]);
    expect(Array.from(d.values.slice(8, 14))).toEqual([-1, -3, -5, 5, 5, 5]);
    expect(isStaleAt(d.values, 14)).toBe(true);
    expect(isStaleAt(d.values, 0)).toBe(false);
  });

  it('accumulates increments by repeated addition, as Go does', () => {
    const d = parseSeriesDesc('m 0+0.1x3');
    let acc = 0;
    const want = [0];
    for (let i = 0; i < 3; i++) want.push((acc += 0.1));
    expect(Array.from(d.values)).toEqual(want);
  });

  it('reads {__name__=...} forms, quoted values with escapes and special numbers', () => {
    const d = parseSeriesDesc(`{__name__="m", a='x\\ny', b=\`c\`} Inf -Inf NaN 1e2 0x2`);
    expect(d.labels).toEqual(labelsFromRecord({ __name__: 'm', a: 'x\ny', b: 'c' }));
    // As in Go's series lexer there is no hexadecimal: 0x2 is "0 and two more zeros".
    expect(Array.from(d.values)).toEqual([Infinity, -Infinity, NaN, 100, 0, 0, 0]);
  });
});

describe('test file parsing', () => {
  it('splits commands and parses expectations', () => {
    const cmds = parseTestFile(
      [
        '# comment',
        'load 5m',
        '  m{a="1"} 1 2',
        '',
        'eval instant at 5m m',
        '  m{a="1"} 2',
        '',
        'eval_ordered instant at 1h30m sort(m)',
        '',
        'eval_fail instant at 0m m',
        '  anything',
        '',
        'eval instant at 0s 1 + 1',
        '  2',
        'clear',
      ].join('\n'),
    );
    expect(cmds.map((c) => c.kind)).toEqual(['load', 'eval', 'eval', 'eval', 'eval', 'clear']);
    const [load, ev, ordered, fail, scalar] = cmds;
    expect(load.kind === 'load' && load.step).toBe(300_000);
    expect(ev.kind === 'eval' && ev.expected).toEqual({
      kind: 'vector',
      samples: [{ labels: labelsFromRecord({ __name__: 'm', a: '1' }), value: 2 }],
    });
    expect(ordered.kind === 'eval' && [ordered.mode, ordered.at, ordered.expected]).toEqual([
      'ordered',
      5_400_000,
      { kind: 'vector', samples: [] },
    ]);
    expect(fail.kind === 'eval' && fail.mode).toBe('fail');
    expect(scalar.kind === 'eval' && scalar.expected).toEqual({ kind: 'scalar', value: 2 });
  });

  it('rejects multiple values in an expected sample', () => {
    expect(() => parseTestFile('eval instant at 0s m\n  m 1 2\n', 'x.test')).toThrow(TestFileError);
    expect(() => parseTestFile('eval instant at 0s m\n  m 1 2\n', 'x.test')).toThrow(
      'x.test:2: expecting multiple values in instant evaluation not allowed',
    );
  });
});

describe('almostEqual', () => {
  it('compares relatively with epsilon 1e-6 and equates all NaNs', () => {
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(Infinity, Infinity)).toBe(true);
    expect(almostEqual(Infinity, -Infinity)).toBe(false);
    expect(almostEqual(1, 1 + 1e-7)).toBe(true);
    expect(almostEqual(1, 1 + 1e-5)).toBe(false);
    expect(almostEqual(0, 1e-300)).toBe(false);
    expect(almostEqual(0, 0)).toBe(true);
  });
});

describe('runner', () => {
  const content = [
    'load 1m',
    '  m{a="x"} 1 2 3',
    '  m{a="y"} 3 2 1',
    '',
    'eval instant at 2m m',
    '  m{a="x"} 3',
    '  m{a="y"} 1',
    '',
    'eval_ordered instant at 2m sort_desc(m)',
    '  m{a="x"} 3',
    '  m{a="y"} 1',
    '',
    'eval_ordered instant at 2m sort(m)',
    '  m{a="x"} 3',
    '  m{a="y"} 1',
    '',
    'eval instant at 2m m',
    '  m{a="x"} 3',
    '',
    'eval instant at 2m m[1m]',
    '',
    'eval_fail instant at 2m -{__name__=~"m|n"} or label_replace(m, "a", "", "", "")',
    '',
    'eval_fail instant at 2m m',
    '',
    'eval instant at 2m scalar(m{a="x"})',
    '  3.0000001',
  ].join('\n');

  it('passes and fails cases by the rules of test.go', async () => {
    const results = await runTestContent(content, 'inline.test');
    expect(results.map((r) => [r.line, r.passed])).toEqual([
      [5, true],
      [9, true],
      [13, false],
      [17, false],
      [20, false],
      [22, true],
      [24, false],
      [26, true],
    ]);
    expect(results[2].error).toMatch(/position/);
    expect(results[3].error).toMatch(/unexpected metric m\{a="y"\}/);
    expect(results[4].error).toBe('received range result on instant evaluation');
    expect(results[6].error).toBe('expected error evaluating query but got none');
  });
});
