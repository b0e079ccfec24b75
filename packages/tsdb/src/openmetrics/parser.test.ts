import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { labelsToString } from '../labels';
import { OpenMetricsParseError, parseOpenMetrics, type OpenMetricsSample } from './index';

function parseAll(text: string): OpenMetricsSample[] {
  const out: OpenMetricsSample[] = [];
  parseOpenMetrics(text, (s) => out.push(s));
  return out;
}

describe('parseOpenMetrics', () => {
  it('reads the fixture input into the series promtool dumped', () => {
    const dir = join(fixturesDir, 'openmetrics-blocks');
    const samples = parseAll(readFileSync(join(dir, 'input.om'), 'utf8'));
    const dumped = readFileSync(join(dir, 'expected-dump.txt'), 'utf8').trim().split('\n');
    expect(samples.length).toBe(dumped.length);
    const ours = new Set(samples.map((s) => `${labelsToString(s.labels)} ${s.timestampMs}`));
    for (const line of dumped) {
      const parts = line.split(' ');
      const key = `${parts.slice(0, -2).join(' ')} ${parts[parts.length - 1]}`;
      expect(ours.has(key), key).toBe(true);
    }
  });

  it('unescapes label values and ignores exemplars', () => {
    const [s] = parseAll('m{a="x\\ny",b="q\\"\\\\"} 1.5 100.25 # {t="1"} 2 3\n# EOF\n');
    expect(s.labels).toEqual([
      { name: '__name__', value: 'm' },
      { name: 'a', value: 'x\ny' },
      { name: 'b', value: 'q"\\' },
    ]);
    expect(s.value).toBe(1.5);
    expect(s.timestampMs).toBe(100250);
  });

  it('names the line of malformed input', () => {
    expect(() => parseAll('m 1\n# EOF\n')).toThrow(/line 1: expected timestamp/);
    expect(() => parseAll('m 1 2\n')).toThrow(OpenMetricsParseError);
    expect(() => parseAll('m{a="1",a="2"} 1 2\n# EOF')).toThrow(/duplicate label name a/);
    expect(() => parseAll('m{a="\\x"} 1 2\n# EOF')).toThrow(/invalid escape/);
    expect(() => parseAll('m abc 2\n# EOF')).toThrow(/invalid value "abc"/);
  });
});
