// The Grafana dashboards under deploy/dashboards/ may only chart metrics the services
// really export: every metric name in every PromQL target is looked up in the /metrics
// output of a receiver, a store gateway, a compactor and a querier started in-process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Compactor } from '@thanos-ts/compact';
import { FilesystemBucket, MetricsBucket } from '@thanos-ts/objstore';
import { Querier } from '@thanos-ts/query';
import { loopbackReceiverConfig, Receiver } from '@thanos-ts/receive';
import { compressSnappyBlock, encodeWriteRequest } from '@thanos-ts/remote-write';
import { createHttpServer, createLogger, listen } from '@thanos-ts/runtime';
import { STORE_DEFAULTS, StoreGateway } from '@thanos-ts/store';
import { repoRoot, tempDir } from '@thanos-ts/testkit';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dashboardsDir = join(repoRoot, 'deploy', 'dashboards');
const COMPONENTS = ['compact', 'query', 'receive', 'store'];

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
  panels: Panel[];
}

function loadDashboards(): Map<string, Dashboard> {
  const out = new Map<string, Dashboard>();
  for (const file of readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    out.set(file, JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard);
  }
  return out;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Words that look like identifiers in PromQL but are not metric names. */
const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * Metric names selected by a PromQL expression: identifiers followed by `{`, `[`, `)`,
 * whitespace or the end, once strings, label matchers, range/subquery brackets and
 * grouping label lists are removed; an identifier whose next non-blank character is `(`
 * is a function or aggregation.
 */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:$.])[a-zA-Z_:][a-zA-Z0-9_:]*(?=[{[)\s]|$)/g)) {
    const rest = stripped.slice(m.index + m[0].length).trimStart();
    if (rest.startsWith('(') || PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/**
 * Metric names and types announced by `# HELP` / `# TYPE` lines, which prom-client prints
 * even for labelled metrics with no series observed yet.
 */
function exportedMetrics(exposition: string): Map<string, string> {
  const metrics = new Map<string, string>();
  for (const m of exposition.matchAll(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (\S+))?/gm)) {
    const known = metrics.get(m[2]);
    metrics.set(m[2], m[1] === 'TYPE' ? (m[3] ?? 'untyped') : (known ?? 'untyped'));
  }
  return metrics;
}

/** Whether `name` is exported, directly or as a histogram's or summary's `_bucket`/`_sum`/`_count` series. */
function isExported(name: string, exported: Map<string, string>): boolean {
  if (exported.has(name)) return true;
  const base = name.replace(/_(?:bucket|sum|count)$/, '');
  return base !== name && ['histogram', 'summary'].includes(exported.get(base) ?? '');
}

describe('metric name extraction', () => {
  it('finds selected metrics and skips functions, aggregations, labels and keywords', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, handler) (rate(a_seconds_bucket{job=~"$job", code!~"2.."}[$__rate_interval])))' +
      ' / on (job) group_left (x) sum(b_total) or vector(0) + c unless count(d:rule offset 5m) > bool 1';
    expect(metricNamesIn(expr).sort()).toEqual(['a_seconds_bucket', 'b_total', 'c', 'd:rule']);
  });

  it('reports a name missing from the exposition and accepts histogram series of exported ones', () => {
    const exported = exportedMetrics(
      '# HELP h_seconds x\n# TYPE h_seconds histogram\n# HELP up x\n# TYPE up gauge\nup 1\n# HELP c_total x\n',
    );
    expect(isExported('h_seconds_bucket', exported)).toBe(true);
    expect(isExported('h_seconds_count', exported)).toBe(true);
    expect(isExported('up', exported)).toBe(true);
    expect(isExported('up_count', exported)).toBe(false);
    expect(isExported('c_total', exported)).toBe(true);
    expect(isExported('thanos_not_a_metric_total', exported)).toBe(false);
  });
});

describe('Grafana dashboards', () => {
  const dashboards = loadDashboards();

  it('has one dashboard per component with a prometheus datasource variable', () => {
    expect([...dashboards.keys()]).toEqual(COMPONENTS.map((c) => `${c}.json`));
    const uids = new Set<string>();
    for (const [file, d] of dashboards) {
      expect(d.schemaVersion, file).toBeGreaterThanOrEqual(36);
      expect(d.title, file).toMatch(/^thanos-ts \//);
      uids.add(d.uid);
      const ds = d.templating.list.find((v) => v.name === 'datasource');
      expect(ds, file).toMatchObject({ type: 'datasource', query: 'prometheus' });
    }
    expect(uids.size).toBe(dashboards.size);
  });

  it('gives every chart PromQL targets on the datasource variable', () => {
    for (const [file, d] of dashboards) {
      const panels = allPanels(d.panels);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids must be unique`).toBe(ids.length);
      const charts = panels.filter((p) => p.type !== 'row');
      expect(charts.length, file).toBeGreaterThan(3);
      for (const p of charts) {
        const where = `${file}: ${p.title}`;
        expect(['timeseries', 'stat'], where).toContain(p.type);
        expect(p.datasource, where).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets?.length, where).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          expect(t.expr?.trim(), where).toBeTruthy();
          expect(metricNamesIn(t.expr ?? '').length, `${where}: ${t.expr}`).toBeGreaterThan(0);
        }
      }
    }
  });

  describe('against the metrics the services export', () => {
    const dir = tempDir('dashboards-');
    const logger = createLogger({ write: () => {} });
    const stops: Array<() => Promise<unknown>> = [];
    const expositions = new Map<string, string>();

    const scrape = async (component: string, port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status, `${component} /metrics`).toBe(200);
      expositions.set(component, await res.text());
    };
    const bucketOn = (registry: Registry, name: string) =>
      new MetricsBucket(new FilesystemBucket(join(dir.path, 'bucket')), registry, name);

    async function startReceiver(): Promise<void> {
      const registry = new Registry();
      const receiver = new Receiver(
        loopbackReceiverConfig(join(dir.path, 'receive'), {
          walFsync: true,
          logger,
          registry,
          bucket: bucketOn(registry, 'receive'),
          flushOnShutdown: false,
        }),
      );
      await receiver.start();
      stops.push(() => receiver.stop());
      const body = compressSnappyBlock(
        encodeWriteRequest({
          timeseries: [
            {
              labels: [{ name: '__name__', value: 'dashboards_test' }],
              timestamps: [Date.now()],
              values: Float64Array.of(1),
            },
          ],
        }),
      );
      const res = await fetch(`http://127.0.0.1:${receiver.remoteWritePort}/api/v1/receive`, {
        method: 'POST',
        body,
        headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
      });
      expect(res.status).toBe(200);
      await scrape('receive', receiver.httpPort);
    }

    async function startStore(): Promise<void> {
      const gateway = new StoreGateway({
        ...STORE_DEFAULTS,
        bucket: new FilesystemBucket(join(dir.path, 'bucket')),
        dataDir: join(dir.path, 'store'),
        httpAddress: '127.0.0.1:0',
        grpcAddress: '127.0.0.1:0',
        logger,
      });
      await gateway.start();
      stops.push(() => gateway.stop());
      await scrape('store', gateway.httpPort);
    }

    /** The compactor as `compact --wait` runs it: its metrics on the shared HTTP server. */
    async function startCompactor(): Promise<void> {
      const registry = new Registry();
      const compactor = new Compactor({
        bucket: bucketOn(registry, 'compact'),
        dataDir: join(dir.path, 'compact'),
        logger,
        registry,
      });
      await compactor.runIteration();
      const app: FastifyInstance = createHttpServer({ logger, registry, probes: { ready: () => true } });
      const port = await listen(app, '127.0.0.1:0');
      stops.push(() => app.close());
      await scrape('compact', port);
    }

    async function startQuerier(): Promise<void> {
      const querier = new Querier({ httpAddress: '127.0.0.1:0', endpoints: [], replicaLabels: [], logger });
      await querier.start();
      stops.push(() => querier.stop());
      await scrape('query', querier.httpPort);
    }

    beforeAll(async () => {
      await Promise.all([startReceiver(), startStore(), startCompactor(), startQuerier()]);
    });
    afterAll(async () => {
      for (const stop of stops.reverse()) await stop();
      dir.cleanup();
    });

    it('scraped every component', () => {
      expect([...expositions.keys()].sort()).toEqual(COMPONENTS);
      for (const [component, text] of expositions) {
        expect(exportedMetrics(text).size, component).toBeGreaterThan(0);
      }
    });

    it('charts only metrics some service exports', () => {
      const exported = new Map([...expositions.values()].flatMap((text) => [...exportedMetrics(text)]));
      const missing: string[] = [];
      for (const [file, d] of dashboards) {
        for (const p of allPanels(d.panels)) {
          for (const t of p.targets ?? []) {
            for (const name of metricNamesIn(t.expr ?? '')) {
              if (!isExported(name, exported)) missing.push(`${file} "${p.title}": ${name}`);
            }
          }
        }
      }
      expect(missing).toEqual([]);
    });

    it('charts each component from the metrics that component exports', () => {
      const misplaced: string[] = [];
      for (const component of COMPONENTS) {
        const exported = exportedMetrics(expositions.get(component) ?? '');
        const d = dashboards.get(`${component}.json`);
        for (const p of allPanels(d?.panels ?? [])) {
          for (const t of p.targets ?? []) {
            for (const name of metricNamesIn(t.expr ?? '')) {
              if (!isExported(name, exported)) misplaced.push(`${component}.json "${p.title}": ${name}`);
            }
          }
        }
      }
      expect(misplaced).toEqual([]);
    });
  });
});
