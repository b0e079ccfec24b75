import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrometheus, promtool, tempDir } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { buildIndex } from './index';
import { syntheticSeries } from './testing';

const ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** The `count name` lines of one section of `promtool tsdb analyze`, as a map. */
function section(out: string, title: string): Map<string, number> {
  const lines = out.split('\n');
  const start = lines.indexOf(title);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const m = new Map<string, number>();
  for (const line of lines.slice(start + 1)) {
    if (line === '') break;
    const sp = line.indexOf(' ');
    m.set(line.slice(sp + 1), Number(line.slice(0, sp)));
  }
  return m;
}

describe('IndexWriter output read by promtool 2.42', () => {
  it('is analyzed with the label statistics of the series written', () => {
    ensurePrometheus();
    // analyze needs at least one chunk meta per series; it does not read the chunks.
    const series = syntheticSeries(3000, 11).map((s) => ({
      labels: s.labels,
      chunks: s.chunks.length > 0 ? s.chunks : [{ ref: 8, mint: 0, maxt: 1000 }],
    }));
    const dir = tempDir('index-promtool-');
    try {
      const block = join(dir.path, ULID);
      mkdirSync(join(block, 'chunks'), { recursive: true });
      writeFileSync(join(block, 'index'), buildIndex(series));
      const meta = {
        ulid: ULID,
        minTime: 0,
        maxTime: 7_200_000,
        stats: { numSamples: 0, numSeries: series.length, numChunks: 0 },
        compaction: { level: 1, sources: [ULID] },
        version: 1,
      };
      writeFileSync(join(block, 'meta.json'), JSON.stringify(meta));
      const r = promtool(['tsdb', 'analyze', dir.path, ULID]);
      expect(r.status, r.stderr).toBe(0);

      const values = new Map<string, Set<string>>();
      let pairs = 0;
      for (const s of series) {
        for (const l of s.labels) {
          if (!values.has(l.name)) values.set(l.name, new Set());
          values.get(l.name)!.add(l.value);
          pairs++;
        }
      }
      const unique = [...values.values()].reduce((n, v) => n + v.size, 0);
      expect(r.stdout).toContain(`Series: ${series.length}\n`);
      expect(r.stdout).toContain(`Label names: ${values.size}\n`);
      expect(r.stdout).toContain(`Postings (unique label pairs): ${unique}\n`);
      expect(r.stdout).toContain(`Postings entries (total label pairs): ${pairs}\n`);
      const utf8Len = (s: string) => Buffer.byteLength(s, 'utf8');
      expect(section(r.stdout, 'Highest cardinality labels:')).toEqual(
        new Map([...values].map(([name, vs]) => [name, vs.size])),
      );
      expect(section(r.stdout, 'Label names with highest cumulative label value length:')).toEqual(
        new Map([...values].map(([name, vs]) => [name, [...vs].reduce((n, v) => n + utf8Len(v), 0)])),
      );
    } finally {
      dir.cleanup();
    }
  });
});
