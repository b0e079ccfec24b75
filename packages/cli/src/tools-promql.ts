import { runTestFile } from '@thanos-ts/promql';
import type { Command } from './command';
import { UsageError } from './flags';

/** `thanos-ts tools promql test <file.test>...`: runs Prometheus PromQL test files. */
export const promqlToolCommand: Command = {
  name: 'promql',
  summary: 'PromQL tools.',
  flags: [],
  subcommands: [
    {
      name: 'test',
      summary: 'Run PromQL test files (the promql/testdata DSL of Prometheus) against the engine.',
      args: '<file.test>...',
      flags: [],
      run: async (_flags, files) => {
        if (files.length === 0) throw new UsageError('at least one test file is required');
        let passed = 0;
        let failed = 0;
        for (const file of files) {
          let results;
          try {
            results = await runTestFile(file);
          } catch (e) {
            process.stdout.write(`${file}: ${(e as Error).message}\n`);
            failed++;
            continue;
          }
          for (const r of results) {
            if (r.passed) passed++;
            else {
              failed++;
              process.stdout.write(`FAIL ${r.file}:${r.line}: ${r.expr}\n    ${r.error}\n`);
            }
          }
        }
        process.stdout.write(`promql-tests: ${passed} passed, ${failed} failed\n`);
        return failed > 0 ? 1 : 0;
      },
    },
  ],
};
