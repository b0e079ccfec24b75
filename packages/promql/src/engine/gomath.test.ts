import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrometheus, promtool, tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { goAcos, goAsin, goAtan, goAtan2, goCos, goLog10, goLog2, goPow, goSin, goTan } from './gomath';

// Values where V8's Math differs from Go in the last bits; the results are Go's (they are
// also checked against Prometheus below).
const KNOWN: [string, (x: number) => number, number, number][] = [
  ['sin', goSin, 9.70560557195247, -0.27715093405808017],
  ['sin', goSin, 36.989355127787846, -0.6516492538838439],
  ['cos', goCos, 49.73731343622194, 0.8637312445478055],
  ['cos', goCos, -29.0366172692909, -0.7232610482534463],
  ['tan', goTan, -42.80065036974878, 2.4386609064528484],
  ['tan', goTan, 17.368425460238214, -11.122611350343918],
  ['asin', goAsin, 0.6191575534730953, 0.6676694331864148],
  ['asin', goAsin, -0.8725740908983043, -1.0604473477963605],
  ['acos', goAcos, -0.008082866206803763, 1.578879281016902],
  ['acos', goAcos, -0.5922026632317354, 2.2045859788458433],
  ['atan', goAtan, 23.878788982461575, 1.52894261212836],
  ['atan', goAtan, -16.099044664809036, -1.5087605427643545],
];

describe('Go math ports', () => {
  it.each(KNOWN)('%s(%d) is bit-identical to Go', (_name, f, x, want) => {
    expect(f(x)).toBe(want);
  });

  it('handles special values like Go', () => {
    expect(goSin(-0)).toBe(-0);
    expect(goSin(Infinity)).toBeNaN();
    expect(goCos(0)).toBe(1);
    expect(goTan(-0)).toBe(-0);
    expect(goAsin(1.5)).toBeNaN();
    expect(goAtan2(-3.497260808244935, 1.5885463387652052)).toBe(-1.1444337254078718);
    expect(goAtan2(0, -1)).toBe(Math.PI);
    expect(goAtan2(-0, -1)).toBe(-Math.PI);
    expect(goAtan2(Infinity, -Infinity)).toBe((3 * Math.PI) / 4);
    expect(goLog10(100)).toBe(2);
    expect(goLog2(8)).toBe(3);
    expect(goLog2(10)).toBe(3.321928094887362);
    expect(goPow(1, NaN)).toBe(1);
    expect(goPow(-1, Infinity)).toBe(1);
  });
});

describe('Go math ports against Prometheus 2.42', () => {
  const dir = tempDir('promql-gomath-');
  afterAll(() => dir.cleanup());

  it('gives the same bits as promtool for random arguments', () => {
    ensurePrometheus();
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    // Each function gets its own test group with arguments in its domain.
    const fns: [string, (x: number) => number, number][] = [
      ['sin', goSin, 1000],
      ['cos', goCos, 1000],
      ['tan', goTan, 1000],
      ['asin', goAsin, 2],
      ['acos', goAcos, 2],
      ['atan', goAtan, 100],
      ['log2', goLog2, 1e6],
      ['log10', goLog10, 1e6],
    ];
    const group = (expr: string, args: number[][], f: (...a: number[]) => number) => ({
      interval: '1m',
      input_series: args.flatMap((a, i) => a.map((v, k) => ({ series: `x${k}{i="${i}"}`, values: String(v) }))),
      promql_expr_test: [
        {
          expr,
          eval_time: '0m',
          exp_samples: args
            .map((a, i) => ({ labels: `{i="${i}"}`, value: f(...a) }))
            .filter((e) => !Number.isNaN(e.value)),
        },
      ],
    });
    const groups = fns.map(([name, f, scale]) => {
      const args = [
        ...KNOWN.filter((k) => k[0] === name).map((k) => k[2]),
        ...Array.from({ length: 60 }, () => (rnd() - 0.5) * scale),
      ];
      return group(
        `${name}(x0)`,
        args.map((x) => [name.startsWith('log') ? Math.abs(x) : x]),
        f,
      );
    });
    const pairs = Array.from({ length: 60 }, () => [(rnd() - 0.5) * 100, (rnd() - 0.5) * 100]);
    groups.push(group('x0 atan2 ignoring(__name__) x1', pairs, goAtan2));
    const file = { rule_files: [], evaluation_interval: '1m', tests: groups };
    const path = join(dir.path, 'math.yml');
    writeFileSync(path, JSON.stringify(file));
    const res = promtool(['test', 'rules', path]);
    expect(res.stdout + res.stderr).toContain('SUCCESS');
    expect(res.status).toBe(0);
  });
});
