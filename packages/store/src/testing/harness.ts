// Test helpers: fixture blocks in a bucket, a gateway on free ports, StoreAPI answers
// printed as `promtool tsdb dump` lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalBlockMeta, uploadBlock, type BlockMeta, type Bucket } from '@thanos-ts/objstore';
import { createLogger } from '@thanos-ts/runtime';
import { StoreClient, type Label, type SeriesRequestInit, type Series } from '@thanos-ts/storepb';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { formatGoFloat, labelsToString, XorChunkIterator } from '@thanos-ts/tsdb';
import type { Registry } from 'prom-client';
import { StoreGateway, STORE_DEFAULTS, type StoreGatewayConfig } from '../gateway';

export const fixtureBlocksDir = join(fixturesDir, 'openmetrics-blocks', 'blocks');
export const fixtureBlockIds = readdirSync(fixtureBlocksDir).sort();
const dumpPath = join(fixturesDir, 'openmetrics-blocks', 'expected-dump.txt');

/** Uploads block directories with `labels` as their external labels; returns the uploaded metas. */
export async function uploadBlocks(
  bucket: Bucket,
  labels: Record<string, string>,
  dirs: string[] = fixtureBlockIds.map((id) => join(fixtureBlocksDir, id)),
  edit: (meta: BlockMeta) => void = () => {},
): Promise<BlockMeta[]> {
  const out: BlockMeta[] = [];
  for (const dir of dirs) {
    const meta = await readLocalBlockMeta(dir);
    meta.thanos = { ...meta.thanos, labels, downsample: meta.thanos?.downsample ?? { resolution: 0 }, source: 'test' };
    edit(meta);
    out.push(await uploadBlock(bucket, dir, meta));
  }
  return out;
}

export interface RunningGateway {
  gateway: StoreGateway;
  client: StoreClient;
  logs: string[];
  registry: Registry;
  stop(): Promise<void>;
}

export async function startGateway(
  bucket: Bucket,
  overrides: Partial<StoreGatewayConfig> = {},
): Promise<RunningGateway> {
  const dataDir = overrides.dataDir === undefined ? tempDir('store-gw-data-') : undefined;
  const logs: string[] = [];
  const gateway = new StoreGateway({
    ...STORE_DEFAULTS,
    bucket,
    dataDir: dataDir?.path ?? overrides.dataDir!,
    httpAddress: '127.0.0.1:0',
    grpcAddress: '127.0.0.1:0',
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    ...overrides,
  });
  await gateway.start();
  const client = new StoreClient(`127.0.0.1:${gateway.grpcPort}`);
  return {
    gateway,
    client,
    logs,
    registry: gateway.registry,
    async stop() {
      client.close();
      await gateway.stop();
      dataDir?.cleanup();
    },
  };
}

/** All series and warnings of a Series call. */
export async function fetchSeries(
  client: StoreClient,
  req: SeriesRequestInit,
): Promise<{ series: Series[]; warnings: string[] }> {
  const series: Series[] = [];
  const warnings: string[] = [];
  for await (const r of client.series(req)) {
    if (r.type === 'series') series.push(r.series);
    else if (r.type === 'warning') warnings.push(r.warning);
  }
  return { series, warnings };
}

/** Series printed as `promtool tsdb dump` does, samples limited to [mint, maxt], without the named labels. */
export function dumpLines(series: Series[], mint: number, maxt: number, without: string[] = []): string[] {
  const out: string[] = [];
  const it = new XorChunkIterator();
  for (const s of series) {
    const labels: Label[] = s.labels.filter((l) => !without.includes(l.name));
    const prefix = labelsToString(labels);
    for (const c of s.chunks) {
      if (!c.raw) throw new Error(`series ${prefix} has a chunk without raw data`);
      it.reset(c.raw.data);
      while (it.next()) if (it.t >= mint && it.t <= maxt) out.push(`${prefix} ${formatGoFloat(it.v)} ${it.t}`);
      if (it.err) throw it.err;
    }
  }
  return out;
}

/** Lines of the fixture's `promtool tsdb dump` that pass the filter. */
export function expectedDump(keep: (labels: string, t: number) => boolean = () => true): string[] {
  return readFileSync(dumpPath, 'utf8')
    .split('\n')
    .filter((line) => {
      if (!line) return false;
      const t = Number(line.slice(line.lastIndexOf(' ') + 1));
      const labels = line.slice(0, line.lastIndexOf(' ', line.lastIndexOf(' ') - 1));
      return keep(labels, t);
    });
}

/** Current value of a metric (summed over series matching `labels`). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}
