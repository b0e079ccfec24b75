import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrometheus, promtool, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpr } from './parser';
import { exprToString } from './printer';

// Differential test of the parser against Prometheus 2.42: every query of the list goes
// through `promtool check rules` (as the expression of a recording rule) and through our
// parser; the error text (or its absence) must be identical. Valid queries must also survive
// a round trip through the printer.

const queries: string[] = JSON.parse(
  readFileSync(fileURLToPath(new URL('testdata/oracle-queries.json', import.meta.url)), 'utf8'),
);
const dir = tempDir('promql-oracle-');
let promErrors: Map<number, string>;

beforeAll(() => {
  ensurePrometheus();
  const rules = ['groups:', '- name: g', '  rules:'];
  queries.forEach((q, i) => rules.push(`  - record: r${i}`, `    expr: ${JSON.stringify(q)}`));
  const file = join(dir.path, 'rules.yml');
  writeFileSync(file, rules.join('\n') + '\n');
  const res = promtool(['check', 'rules', file]);
  promErrors = new Map();
  for (const line of (res.stdout + res.stderr).split('\n')) {
    const m = /rule (\d+), "r\d+": could not parse expression: (.*)$/.exec(line);
    if (m) promErrors.set(Number(m[1]) - 1, m[2]);
  }
});

afterAll(() => dir.cleanup());

function ourError(q: string): string {
  try {
    const printed = exprToString(parseExpr(q));
    expect(exprToString(parseExpr(printed)), `round trip of ${q}`).toBe(printed);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('parser against promtool 2.42', () => {
  it('has queries that promtool rejects and accepts', () => {
    expect(promErrors.size).toBeGreaterThan(100);
    expect(queries.length - promErrors.size).toBeGreaterThan(100);
  });

  it('reports the same error (or none) for every query', () => {
    const mismatches: string[] = [];
    queries.forEach((q, i) => {
      const want = promErrors.get(i) ?? '';
      const got = ourError(q);
      if (got !== want) mismatches.push(`${JSON.stringify(q)}\n  promtool: ${want}\n  ours:     ${got}`);
    });
    expect(mismatches).toEqual([]);
  });
});
