import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import knownFailures from './known-failures.json';
import { runTestFile, type CaseResult } from './testing/runner';

// Runs Prometheus 2.42's PromQL test corpus case by case. Cases listed in known-failures.json
// must fail (so the list only shrinks); every other case must pass.

interface KnownFailure {
  file: string;
  line: number;
  expr: string;
  reason: string;
}

const dir = join(sharedDir, 'promql-tests', 'testdata');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test'))
  .sort();
const known = new Map((knownFailures as KnownFailure[]).map((k) => [`${k.file}:${k.line}`, k]));

let passed = 0;
let failed = 0;

afterAll(() => {
  console.log(`promql-tests: ${passed} passed, ${failed} failed`);
});

describe('PromQL test corpus (Prometheus 2.42)', () => {
  it('has the 11 files of the corpus', () => {
    expect(files).toHaveLength(11);
  });

  for (const file of files) {
    it(file, async () => {
      const results: CaseResult[] = await runTestFile(join(dir, file));
      expect(results.length).toBeGreaterThan(0);
      const problems: string[] = [];
      for (const r of results) {
        const k = known.get(`${r.file}:${r.line}`);
        if (r.passed) passed++;
        else failed++;
        if (k && k.expr !== r.expr)
          problems.push(`${r.file}:${r.line}: known failure lists ${k.expr} but the case is ${r.expr}`);
        if (r.passed && k)
          problems.push(`${r.file}:${r.line}: ${r.expr} now passes; remove it from known-failures.json`);
        if (!r.passed && !k) problems.push(`${r.file}:${r.line}: ${r.expr}\n    ${r.error}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('lists only cases that exist in the corpus', () => {
    for (const k of known.values()) {
      const lines = readFileSync(join(dir, k.file), 'utf8').split('\n');
      expect(lines[k.line - 1] ?? '', `${k.file}:${k.line}`).toContain(k.expr);
    }
  });
});
