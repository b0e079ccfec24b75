// Differential test: the same generated data is loaded into a real Prometheus 2.42 (through
// promtool's OpenMetrics backfill) and into a MemorySeriesStore, and a few hundred generated
// queries run through both as instant and range queries; every result must agree.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '@thanos-ts/runtime';
import { promtool, startPrometheus, tempDir, type PrometheusServer } from '@thanos-ts/testkit';
import { Engine } from '../engine/engine';
import { exprType } from '../parser/ast';
import { parseExpr } from '../parser/parser';
import { MemorySeriesStore } from '../storage';
import { compareResults } from './compare';
import { generateDataset, loadIntoStore, writeOpenMetrics, type DataShape } from './data-gen';
import { normalizeOurs, type NormResult } from './normalize';
import { queryPrometheus, type QuerySpec } from './prometheus-api';
import { generateQueries } from './query-gen';

const MINUTE = 60_000;
const T0 = 1_700_000_040_000;
const SHAPE: DataShape = {
  seed: 42,
  start: T0,
  scrapes: 480, // 2 h at 15 s
  intervalMs: 15_000,
  jobs: ['api', 'web', 'db'],
  instancesPerJob: 2,
  irregular: true,
};
const DATA_END = T0 + SHAPE.scrapes * SHAPE.intervalMs;

/** Instant evaluation times: inside the data, and just after its end (within and past the lookback). */
const INSTANT_TIMES = [T0 + 47 * MINUTE + 13_000, DATA_END + 2 * MINUTE, DATA_END + 7 * MINUTE];
const RANGES = [
  { start: T0 + 20 * MINUTE, end: DATA_END + 10 * MINUTE, step: MINUTE },
  { start: T0 + 61 * MINUTE, end: T0 + 91 * MINUTE, step: 37_000 },
];

function evaluations(query: string): QuerySpec[] {
  const specs: QuerySpec[] = INSTANT_TIMES.map((time) => ({ kind: 'instant', query, time }));
  let rangeCapable = true;
  try {
    const ty = exprType(parseExpr(query));
    rangeCapable = ty === 'scalar' || ty === 'vector';
  } catch {
    // a query that fails to parse must fail on both sides for range queries too
  }
  if (rangeCapable) specs.push(...RANGES.map((r): QuerySpec => ({ kind: 'range', query, ...r })));
  return specs;
}

async function runOurs(engine: Engine, store: MemorySeriesStore, spec: QuerySpec): Promise<NormResult> {
  try {
    const { value } =
      spec.kind === 'instant'
        ? await engine.instantQuery(store, spec.query, spec.time)
        : await engine.rangeQuery(store, spec.query, spec.start, spec.end, spec.step);
    return normalizeOurs(value);
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
}

function describeSpec(spec: QuerySpec): string {
  return spec.kind === 'instant'
    ? `instant ${spec.query} @ ${spec.time}`
    : `range ${spec.query} [${spec.start}, ${spec.end}] step ${spec.step}`;
}

describe('differential: Engine vs Prometheus 2.42 on generated data', () => {
  const dir = tempDir('promql-differential-');
  const store = new MemorySeriesStore();
  let prometheus: PrometheusServer | undefined;

  beforeAll(async () => {
    const series = generateDataset(SHAPE);
    const omFile = join(dir.path, 'data.om');
    await writeOpenMetrics(omFile, series);
    const backfill = promtool(['tsdb', 'create-blocks-from', 'openmetrics', omFile, join(dir.path, 'data')]);
    if (backfill.status !== 0) throw new Error(`promtool create-blocks-from failed: ${backfill.stderr}`);
    loadIntoStore(store, series);
    prometheus = await startPrometheus({
      dir: dir.path,
      extraArgs: [
        '--storage.tsdb.retention.time=100y',
        '--query.lookback-delta=5m',
        '--query.max-samples=50000000',
        '--enable-feature=promql-at-modifier,promql-negative-offset',
      ],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    dir.cleanup();
  });

  it('agrees with Prometheus on every generated query', async () => {
    const engine = new Engine({ lookbackDelta: 5 * MINUTE });
    const cases = generateQueries((T0 + 60 * MINUTE) / 1000);
    const specs = cases.flatMap((c) => evaluations(c.query).map((spec) => ({ spec, ordered: c.ordered })));
    const outcomes = await mapLimit(specs, 4, async ({ spec, ordered }) => {
      const [theirs, ours] = await Promise.all([queryPrometheus(prometheus!.url, spec), runOurs(engine, store, spec)]);
      const diff = compareResults(ours, theirs.result, ordered && spec.kind === 'instant');
      return { diff: diff && `${describeSpec(spec)}: ${diff}`, error: ours.kind === 'error' };
    });
    const differed = outcomes.flatMap((o) => (o.diff ? [o.diff] : []));
    const agreed = outcomes.length - differed.length;
    const errorsAgreed = outcomes.filter((o) => !o.diff && o.error).length;
    console.log(
      `promql-differential: ${agreed} agreed, ${differed.length} differed (${cases.length} queries, ${errorsAgreed} agreed errors)`,
    );
    expect(differed).toEqual([]);
    // the generated set must exercise real results, not mostly errors or empty answers
    expect(agreed - errorsAgreed).toBeGreaterThan(cases.length);
  });
});
