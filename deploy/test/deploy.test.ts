// Static checks of the deployment files: the compose stack and its configuration files,
// and the Helm charts. No Docker engine or Helm is needed; Debian's docker-compose v1
// validates the compose file when it is (or can be) installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseObjstoreConfig } from '@thanos-ts/objstore';
import { parseHashringsConfig } from '@thanos-ts/receive';
import { promtool, repoRoot } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  bindMounts,
  commandArgs,
  dependencies,
  flagValues,
  imageTag,
  parseCompose,
  publishedHostPorts,
  type ComposeService,
} from './compose-model';
import { baseImage, copySources, isDockerIgnored, parseDockerfile } from './dockerfile-model';
import {
  blockProblems,
  definedTemplates,
  hasValuesPath,
  includedTemplates,
  templateActions,
  templateSkeleton,
  valuesPaths,
} from './helm-template-lint';

const composePath = join(repoRoot, 'docker-compose.yml');
const composeDir = join(repoRoot, 'deploy', 'compose');
const helmDir = join(repoRoot, 'deploy', 'helm');
const compose = parseCompose(readFileSync(composePath, 'utf8'));
const services = Object.entries(compose.services);

const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'));

function servicesRunning(subcommand: string): [string, ComposeService][] {
  return services.filter(([, s]) => commandArgs(s)[0] === subcommand);
}

/** The host file a service mounts at `target`. */
function mountedSource(service: ComposeService, target: string): string | undefined {
  const mount = bindMounts(service).find((m) => m.target === target);
  return mount && resolve(repoRoot, mount.source);
}

/** The one value of `--name=value` in a service's command. */
function flag(service: ComposeService, name: string): string {
  const values = flagValues(commandArgs(service), name);
  expect(values, `--${name}`).toHaveLength(1);
  return values[0];
}

describe('docker-compose.yml', () => {
  it('pins the tag of every image', () => {
    expect(services.length).toBeGreaterThan(0);
    for (const [name, s] of services) {
      expect(s.image, `${name} has no image`).toBeTypeOf('string');
      const tag = imageTag(s.image!);
      expect(tag, `${name}: ${s.image} has no tag`).toBeTruthy();
      expect(tag, `${name}: ${s.image}`).not.toBe('latest');
    }
  });

  it('builds the thanos-ts image from the Dockerfile once and runs its subcommands', () => {
    const ours = services.filter(([, s]) => s.build !== undefined);
    expect(new Set(ours.map(([, s]) => s.image))).toEqual(new Set(['thanos-ts:0.1.0']));
    expect(new Set(ours.map(([, s]) => commandArgs(s)[0]))).toEqual(new Set(['receive', 'store', 'compact', 'query']));
    expect(existsSync(join(repoRoot, 'Dockerfile'))).toBe(true);
  });

  it('publishes no host port twice', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of services) {
      for (const port of (s.ports ?? []).flatMap(publishedHostPorts)) {
        expect(seen.get(port), `host port ${port} of ${name}`).toBeUndefined();
        seen.set(port, name);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const mounts = services.flatMap(([, s]) => bindMounts(s));
    expect(mounts.length).toBeGreaterThan(5);
    for (const m of mounts) expect(existsSync(resolve(repoRoot, m.source)), m.source).toBe(true);
  });

  it('depends only on services it defines', () => {
    for (const [name, s] of services)
      for (const dep of dependencies(s)) expect(compose.services, `${name} depends on ${dep}`).toHaveProperty([dep]);
  });

  it('declares every named volume it uses', () => {
    for (const [name, s] of services)
      for (const v of s.volumes ?? []) {
        if (typeof v !== 'string' || /^[./~]/.test(v)) continue;
        expect(compose.volumes, `${name} uses volume ${v}`).toHaveProperty([v.split(':')[0]]);
      }
  });

  it('passes docker-compose config validation', { timeout: 600_000 }, (ctx) => {
    const reason = ensureDockerCompose();
    if (reason) ctx.skip(reason);
    const r = spawnSync('docker-compose', ['-f', composePath, 'config', '-q'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});

/** Installs Debian's docker-compose v1 when missing; returns why it is unavailable, if so. */
function ensureDockerCompose(): string | undefined {
  const present = () => spawnSync('sh', ['-c', 'command -v docker-compose']).status === 0;
  if (present()) return undefined;
  if (process.getuid?.() !== 0) return 'docker-compose is not installed and installing it needs root';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', 'docker-compose'], { env, encoding: 'utf8' });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
    const r = install();
    if (r.status !== 0) return `could not install docker-compose with apt-get: ${r.stderr.trim().split('\n').pop()}`;
  }
  return present() ? undefined : 'docker-compose is still missing after apt-get install';
}

describe('the compose hashring', () => {
  const receivers = servicesRunning('receive');
  const hashringsFile = join(composeDir, 'hashrings.json');
  const hashrings = JSON.parse(readFileSync(hashringsFile, 'utf8')) as unknown;

  it('is a Thanos hashrings file', () => {
    expect(Array.isArray(hashrings)).toBe(true);
    const rings = hashrings as Record<string, unknown>[];
    expect(rings.length).toBeGreaterThan(0);
    for (const ring of rings) {
      expect(Object.keys(ring).every((k) => ['hashring', 'endpoints', 'tenants', 'algorithm'].includes(k))).toBe(true);
      if (ring.hashring !== undefined) expect(ring.hashring).toBeTypeOf('string');
      if (ring.tenants !== undefined)
        expect((ring.tenants as unknown[]).every((t) => typeof t === 'string')).toBe(true);
      expect(Array.isArray(ring.endpoints)).toBe(true);
      for (const e of ring.endpoints as unknown[]) expect(e).toMatch(/^[a-z0-9.-]+:\d+$/);
    }
  });

  it('is accepted by our own hashrings loader without warnings', () => {
    const parsed = parseHashringsConfig(readFileSync(hashringsFile, 'utf8'), hashringsFile);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.hashrings[0].endpoints.map((e) => e.address).sort()).toEqual(
      receivers.map(([name]) => `${name}:10901`).sort(),
    );
  });

  it('lists the three receivers, each under its own --receive.local-endpoint', () => {
    const endpoints = (hashrings as { endpoints: string[] }[])[0].endpoints;
    expect(receivers.map(([name]) => `${name}:10901`).sort()).toEqual([...endpoints].sort());
    expect(endpoints).toHaveLength(3);
    for (const [name, s] of receivers) {
      expect(flag(s, 'receive.local-endpoint')).toBe(`${name}:10901`);
      expect(flag(s, 'grpc-address')).toBe('0.0.0.0:10901');
      expect(flag(s, 'receive.replication-factor')).toBe('3');
      expect(mountedSource(s, flag(s, 'receive.hashrings-file'))).toBe(hashringsFile);
    }
  });

  it('gives each receiver its own receive_replica label and data volume', () => {
    const labels = receivers.map(([, s]) => flag(s, 'label'));
    expect(labels).toEqual(receivers.map(([name]) => `receive_replica="${name.split('-')[1]}"`));
    const volumes = receivers.map(([, s]) => (s.volumes as string[]).find((v) => v.endsWith(':/data')));
    expect(new Set(volumes).size).toBe(receivers.length);
  });

  it('has the querier reach every receiver and the store gateway, deduplicating both replica labels', () => {
    const [[, query]] = servicesRunning('query');
    const expected = [...receivers, ...servicesRunning('store')].map(([name]) => `${name}:10901`);
    expect(flagValues(commandArgs(query), 'endpoint').sort()).toEqual(expected.sort());
    expect(flagValues(commandArgs(query), 'query.replica-label').sort()).toEqual(['receive_replica', 'replica']);
  });
});

describe('the compose object store', () => {
  const objstoreFile = join(composeDir, 'objstore.yml');
  const objstore = readYaml(objstoreFile) as { type: string; config: Record<string, unknown>; prefix?: string };

  it('is accepted by our own objstore config loader', () => {
    const parsed = parseObjstoreConfig(readFileSync(objstoreFile, 'utf8'));
    expect(parsed.type).toBe('S3');
  });

  it('is Thanos S3 objstore YAML pointing at the MinIO service', () => {
    expect(Object.keys(objstore).sort()).toEqual(['config', 'prefix', 'type']);
    expect(objstore.type).toBe('S3');
    expect(objstore.config.bucket).toBe('thanos');
    expect(objstore.config.endpoint).toBe('minio:9000');
    expect(objstore.config.insecure).toBe(true);
    expect(typeof objstore.prefix).toBe('string');
    const s3Keys = ['bucket', 'endpoint', 'region', 'access_key', 'secret_key', 'insecure', 'bucket_lookup_type'];
    expect(Object.keys(objstore.config).filter((k) => !s3Keys.includes(k))).toEqual([]);
  });

  it('uses the credentials MinIO starts with and the bucket the init job creates', () => {
    const minio = compose.services.minio as ComposeService & { environment: Record<string, string> };
    expect(objstore.config.access_key).toBe(minio.environment.MINIO_ROOT_USER);
    expect(objstore.config.secret_key).toBe(minio.environment.MINIO_ROOT_PASSWORD);
    const init = (compose.services['minio-init'].entrypoint as string[]).join(' ');
    expect(init).toContain(`mc mb --ignore-existing local/${objstore.config.bucket}`);
    expect(init).toContain(`${objstore.config.access_key} ${objstore.config.secret_key}`);
  });

  it('is mounted by every component that reads the bucket', () => {
    const readers = ['receive', 'store', 'compact'].flatMap(servicesRunning);
    expect(readers).toHaveLength(5);
    for (const [, s] of readers) expect(mountedSource(s, flag(s, 'objstore.config-file'))).toBe(objstoreFile);
  });
});

describe('the compose Prometheus HA pair', () => {
  interface PromConfig {
    global: { external_labels: Record<string, string> };
    remote_write: { url: string }[];
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  }
  const pair = ['a', 'b'].map((r) => ({ replica: r, path: join(composeDir, `prometheus-${r}.yml`) }));

  it.each(['a', 'b'])('prometheus-%s.yml is a valid Prometheus config (promtool)', (replica) => {
    const r = promtool(['check', 'config', join(composeDir, `prometheus-${replica}.yml`)]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('labels its series with the replica and the receivers’ split-tenant label', () => {
    const splitLabels = new Set(servicesRunning('receive').map(([, s]) => flag(s, 'receive.split-tenant-label-name')));
    expect(splitLabels).toEqual(new Set(['receive_cluster']));
    for (const { replica, path } of pair) {
      const cfg = readYaml(path) as PromConfig;
      expect(cfg.global.external_labels).toEqual({ receive_cluster: 'demo', replica });
    }
  });

  it('remote-writes to receivers and scrapes both Prometheus servers', () => {
    const receivers = new Set(servicesRunning('receive').map(([name]) => name));
    for (const { replica, path } of pair) {
      const cfg = readYaml(path) as PromConfig;
      expect(cfg.remote_write.length).toBeGreaterThan(0);
      for (const rw of cfg.remote_write) {
        const url = new URL(rw.url);
        expect(receivers.has(url.hostname), rw.url).toBe(true);
        expect([url.port, url.pathname]).toEqual(['19291', '/api/v1/receive']);
      }
      const targets = cfg.scrape_configs.flatMap((sc) => sc.static_configs.flatMap((s) => s.targets));
      expect(targets, `prometheus-${replica}`).toEqual(
        expect.arrayContaining(['prometheus-a:9090', 'prometheus-b:9090']),
      );
      const service = compose.services[`prometheus-${replica}`];
      expect(mountedSource(service, '/etc/prometheus/prometheus.yml')).toBe(path);
    }
  });
});

describe('the compose Grafana', () => {
  const grafana = compose.services.grafana;
  const provisioning = join(composeDir, 'grafana', 'provisioning');

  it('provisions a Prometheus data source on the querier', () => {
    expect(mountedSource(grafana, '/etc/grafana/provisioning')).toBe(provisioning);
    const ds = readYaml(join(provisioning, 'datasources', 'thanos-ts.yml')) as {
      datasources: { type: string; url: string; isDefault: boolean }[];
    };
    expect(ds.datasources).toHaveLength(1);
    const [queryService] = servicesRunning('query');
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: `http://${queryService[0]}:10902` });
  });

  it('loads dashboards from deploy/dashboards', () => {
    const providers = readYaml(join(provisioning, 'dashboards', 'thanos-ts.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers).toHaveLength(1);
    const { path } = providers.providers[0].options;
    expect(mountedSource(grafana, path)).toBe(join(repoRoot, 'deploy', 'dashboards'));
  });
});

describe('Helm charts', () => {
  const charts = readdirSync(helmDir).sort();

  it('has a chart per service', () => {
    expect(charts).toEqual(['thanos-ts-compact', 'thanos-ts-query', 'thanos-ts-receive', 'thanos-ts-store']);
  });

  describe.each(charts)('%s', (chart) => {
    const dir = join(helmDir, chart);
    const templatesDir = join(dir, 'templates');
    const files = readdirSync(templatesDir).sort();
    const sources = new Map(files.map((f) => [f, readFileSync(join(templatesDir, f), 'utf8')]));
    const values = readYaml(join(dir, 'values.yaml'));

    it('has a Chart.yaml and values.yaml that parse', () => {
      expect(readYaml(join(dir, 'Chart.yaml'))).toMatchObject({ apiVersion: 'v2', name: chart, version: '0.1.0' });
      expect(values).toMatchObject({ image: { repository: 'thanos-ts', tag: '0.1.0' } });
    });

    it('has balanced delimiters and blocks in every template', () => {
      for (const [file, src] of sources) expect(blockProblems(templateActions(src, file), file)).toEqual([]);
    });

    it('uses only .Values paths that values.yaml defines', () => {
      const paths = [...sources].flatMap(([file, src]) => valuesPaths(templateActions(src, file)));
      expect(paths.length).toBeGreaterThan(20);
      const missing = paths.filter((p) => !hasValuesPath(values, p)).map((p) => p.join('.'));
      expect([...new Set(missing)]).toEqual([]);
    });

    it('includes only templates its _helpers.tpl defines', () => {
      const actions = [...sources].flatMap(([file, src]) => templateActions(src, file));
      const defined = new Set(definedTemplates(actions));
      expect(defined.size).toBeGreaterThan(0);
      for (const name of includedTemplates(actions)) expect(defined, name).toContain(name);
    });

    it('renders to Kubernetes objects once the actions are taken out', () => {
      for (const [file, src] of sources) {
        if (!file.endsWith('.yaml')) continue;
        for (const doc of parseAllDocuments(templateSkeleton(src))) {
          expect(doc.errors, file).toEqual([]);
          expect(doc.toJS(), file).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String) });
        }
      }
    });

    it('probes /-/healthy and /-/ready on the HTTP port and gates the ServiceMonitor', () => {
      const all = [...sources.values()].join('\n');
      expect(all).toContain('path: /-/healthy');
      expect(all).toContain('path: /-/ready');
      expect(sources.get('servicemonitor.yaml')).toMatch(/^\{\{- if \.Values\.serviceMonitor\.enabled \}\}/);
    });
  });
});

describe('the thanos-ts-receive chart', () => {
  const templates = join(helmDir, 'thanos-ts-receive', 'templates');
  const statefulset = readFileSync(join(templates, 'statefulset.yaml'), 'utf8');
  const helpers = readFileSync(join(templates, '_helpers.tpl'), 'utf8');

  it('spells each hashring endpoint as the matching pod spells its local endpoint', () => {
    // Pods are <StatefulSet name>-N under the headless Service named by serviceName.
    expect(statefulset).toContain('  name: {{ include "thanos-ts-receive.fullname" . }}\n');
    expect(statefulset).toContain('  serviceName: {{ include "thanos-ts-receive.headless" . }}\n');
    expect(statefulset).toContain(
      '--receive.local-endpoint=$(POD_NAME).{{ include "thanos-ts-receive.headless" . }}:{{ .Values.receive.service.ports.grpc }}',
    );
    expect(helpers).toContain('$fullname := include "thanos-ts-receive.fullname" .');
    expect(helpers).toContain('$headless := include "thanos-ts-receive.headless" .');
    expect(helpers).toContain(
      '(printf "%s-%d.%s:%d" $fullname $i $headless (int $.Values.receive.service.ports.grpc))',
    );
  });
});

describe('the Helm template checks', () => {
  it('report undefined values, unbalanced blocks and stray delimiters', () => {
    const actions = templateActions('{{ if .Values.a.b }}x{{ range .Values.c }}{{ end }}', 't.yaml');
    expect(valuesPaths(actions)).toEqual([['a', 'b'], ['c']]);
    expect(hasValuesPath({ a: { b: 0 } }, ['a', 'b'])).toBe(true);
    expect(hasValuesPath({ a: { b: 0 } }, ['a', 'c'])).toBe(false);
    expect(blockProblems(actions, 't.yaml')).toEqual(['t.yaml: "if .Values.a.b" at offset 0 has no "end"']);
    expect(() => templateActions('a {{ b }} }}', 't.yaml')).toThrow(/without "\{\{"/);
    expect(() => templateActions('{{ a {{ b }}', 't.yaml')).toThrow(/not closed/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const runtime = dockerfile.stages[dockerfile.stages.length - 1];
  const args = (stage: typeof runtime, keyword: string) =>
    stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds every stage from the pinned Node 20 bookworm-slim image', () => {
    expect(dockerfile.stages.length).toBeGreaterThan(1);
    for (const stage of dockerfile.stages) expect(baseImage(dockerfile, stage)).toBe('node:20.18.1-bookworm-slim');
  });

  it('copies only from stages defined before', () => {
    const seen = new Set<string>();
    for (const stage of dockerfile.stages) {
      for (const from of copySources(stage)) expect(seen, `COPY --from=${from}`).toContain(from);
      if (stage.name) seen.add(stage.name);
    }
  });

  it('bundles the CLI with npm run build and ships the bundle', () => {
    expect(dockerfile.stages.flatMap((s) => args(s, 'RUN'))).toContain('npm run build');
    const copied = args(runtime, 'COPY').join('\n');
    expect(copied).toContain('/src/packages/cli/dist');
    expect(copied).toContain('/src/packages/cli/bin');
    expect(copied).toContain('/app/node_modules');
  });

  it('runs the CLI as a non-root user and exposes the Thanos ports', () => {
    const users = args(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users[users.length - 1].split(':')[0]);
    expect(args(runtime, 'ENTRYPOINT')).toEqual(['["node", "/app/packages/cli/bin/thanos-ts.mjs"]']);
    expect(args(runtime, 'EXPOSE').join(' ').split(' ').sort()).toEqual(['10901', '10902', '19291']);
  });

  it('keeps the sources the build needs in the context and leaves out local artefacts', () => {
    const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
    const needed = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'scripts/bootstrap.mjs',
      'scripts/build.mjs',
      'packages/cli/package.json',
      'packages/cli/bin/thanos-ts.mjs',
      'packages/cli/src/main.ts',
    ];
    for (const path of needed) {
      expect(existsSync(join(repoRoot, path)), path).toBe(true);
      expect(isDockerIgnored(dockerignore, path), path).toBe(false);
    }
    for (const path of ['node_modules/yaml/package.json', 'packages/cli/dist/thanos-ts.mjs', '.git/HEAD'])
      expect(isDockerIgnored(dockerignore, path), path).toBe(true);
  });

  it('matches .dockerignore patterns as Docker does', () => {
    const rules = '**/node_modules\n*.log\nbench\n!bench/keep.ts\n';
    expect(isDockerIgnored(rules, 'packages/a/node_modules/x/index.js')).toBe(true);
    expect(isDockerIgnored(rules, 'node_modules')).toBe(true);
    expect(isDockerIgnored(rules, 'debug.log')).toBe(true);
    expect(isDockerIgnored(rules, 'logs/debug.log')).toBe(false);
    expect(isDockerIgnored(rules, 'bench/run.ts')).toBe(true);
    expect(isDockerIgnored(rules, 'bench/keep.ts')).toBe(false);
    expect(isDockerIgnored(rules, 'packages/a/src/index.ts')).toBe(false);
  });
});

describe('docs/architecture.svg', () => {
  const svg = readFileSync(join(repoRoot, 'docs', 'architecture.svg'), 'utf8');

  it('is a standalone SVG whose references all resolve', () => {
    expect(svg).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 \d+ \d+"/);
    const ids = new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const refs = [...svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ids, ref).toContain(ref);
    expect(svg.match(/<svg\b/g)).toHaveLength(1);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('shows every component of the data flow', () => {
    for (const name of [
      'Prometheus A',
      'receive hashring',
      'object storage',
      'store gateway',
      'compactor',
      'querier',
      'Grafana',
    ])
      expect(svg).toContain(`>${name}<`);
  });
});
