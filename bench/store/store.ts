// Store gateway benchmarks: start-up time against bucket size, and a 24h range fetch of
// all samples through the StoreAPI (cold and warm cache; bucket requests and bytes per
// query) against Prometheus 2.42 answering query_range over the same blocks.
// Run: npx vite-node bench/store/store.ts   (not part of CI; prints a Markdown table)
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createBucket, FilesystemBucket, parseObjstoreConfig, type Bucket } from '../../packages/objstore/src/index';
import { LabelMatcherType, StoreClient } from '../../packages/storepb/src/index';
import { StoreGateway, STORE_DEFAULTS } from '../../packages/store/src/index';
import { writeSyntheticBlocks } from '../../packages/store/src/testing/synthetic';
import { S3rverProcess, startPrometheus, tempDir } from '../../packages/testkit/src/index';
import { createLogger } from '../../packages/runtime/src/index';
import { XorChunkIterator } from '../../packages/tsdb/src/index';

const HOUR = 3_600_000;
const BLOCK_MS = 2 * HOUR;
const START = 1_700_000_000_000 - (1_700_000_000_000 % BLOCK_MS);
const rows: string[][] = [];
const report = (what: string, value: string) => {
  rows.push([what, value]);
  console.log(`${what}: ${value}`);
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Puts a directory of blocks into s3rver's on-disk layout (much faster than uploading). */
function seedS3rver(s3Dir: string, bucket: string, blocksDir: string): void {
  for (const file of filesUnder(blocksDir)) {
    const base = join(s3Dir, bucket, relative(blocksDir, file));
    mkdirSync(dirname(base), { recursive: true });
    copyFileSync(file, `${base}._S3rver_object`);
    writeFileSync(`${base}._S3rver_metadata.json`, '{"content-type":"application/octet-stream"}');
    writeFileSync(`${base}._S3rver_object.md5`, createHash('md5').update(readFileSync(file)).digest('hex'));
  }
}

function s3Bucket(port: number, name: string): Bucket {
  const yaml = `type: S3\nconfig:\n  bucket: ${name}\n  endpoint: 127.0.0.1:${port}\n  access_key: S3RVER\n  secret_key: S3RVER\n  insecure: true\n`;
  return createBucket(parseObjstoreConfig(yaml));
}

async function startGateway(bucket: Bucket, dataDir: string): Promise<StoreGateway> {
  const gw = new StoreGateway({
    ...STORE_DEFAULTS,
    bucket,
    dataDir,
    httpAddress: '127.0.0.1:0',
    grpcAddress: '127.0.0.1:0',
    logger: createLogger({ level: 'warn' }),
  });
  await gw.start();
  return gw;
}

async function metric(gw: StoreGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = gw.registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))
    .reduce((s, v) => s + v.value, 0);
}

async function bucketCounters(gw: StoreGateway): Promise<{ requests: number; bytes: number }> {
  return {
    requests: await metric(gw, 'thanos_objstore_bucket_operations_total'),
    bytes: await metric(gw, 'thanos_bucket_store_bucket_fetched_bytes_total'),
  };
}

async function startupBench(blocks: number): Promise<void> {
  const dir = tempDir('bench-store-startup-');
  const blocksDir = join(dir.path, 'blocks');
  mkdirSync(blocksDir);
  await writeSyntheticBlocks(blocksDir, {
    blocks,
    seriesPerBlock: 10,
    scrapeIntervalMs: 300_000,
    blockDurationMs: BLOCK_MS,
    start: START,
    labels: { cluster: 'bench' },
  });
  const fs = await startGateway(new FilesystemBucket(blocksDir), join(dir.path, 'data-fs'));
  report(`start-up, ${blocks} blocks, filesystem bucket`, `${fs.startupMs!.toFixed(0)} ms`);
  await fs.stop();
  const s3Dir = join(dir.path, 's3');
  const s3 = await new S3rverProcess(s3Dir, ['bench']).start();
  seedS3rver(s3Dir, 'bench', blocksDir);
  for (const run of ['first start', 'restart (meta.json copies in --data-dir)']) {
    const gw = await startGateway(s3Bucket(s3.port, 'bench'), join(dir.path, 'data-s3'));
    const requests = await metric(gw, 'thanos_objstore_bucket_operations_total');
    report(
      `start-up, ${blocks} blocks, S3 (s3rver) bucket, ${run}`,
      `${gw.startupMs!.toFixed(0)} ms, ${requests} bucket requests`,
    );
    await gw.stop();
  }
  await s3.stop();
  dir.cleanup();
}

async function fetchAll(client: StoreClient, mint: number, maxt: number): Promise<{ series: number; samples: number }> {
  const it = new XorChunkIterator();
  let series = 0;
  let samples = 0;
  for await (const r of client.series({
    minTime: mint,
    maxTime: maxt,
    matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'synthetic_metric' }],
  })) {
    if (r.type !== 'series') continue;
    series++;
    for (const c of r.series.chunks) {
      it.reset(c.raw!.data);
      while (it.next()) if (it.t >= mint && it.t <= maxt) samples++;
    }
  }
  return { series, samples };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}

async function rangeQueryBench(series: number): Promise<void> {
  const dir = tempDir('bench-store-query-');
  const blocksDir = join(dir.path, 'blocks');
  mkdirSync(blocksDir);
  await writeSyntheticBlocks(blocksDir, {
    blocks: 12,
    seriesPerBlock: series,
    scrapeIntervalMs: 15_000,
    blockDurationMs: BLOCK_MS,
    start: START,
    labels: { cluster: 'bench' },
  });
  const bytes = filesUnder(blocksDir).reduce((s, f) => s + statSync(f).size, 0);
  const mint = START;
  const maxt = START + 24 * HOUR - 1;
  const what = `24h range, ${series} series × 5760 samples (12 blocks, ${(bytes / 2 ** 20).toFixed(1)} MiB)`;

  const s3Dir = join(dir.path, 's3');
  const s3 = await new S3rverProcess(s3Dir, ['bench']).start();
  seedS3rver(s3Dir, 'bench', blocksDir);
  for (const [kind, bucket] of [
    ['filesystem', new FilesystemBucket(blocksDir)],
    ['S3 (s3rver)', s3Bucket(s3.port, 'bench')],
  ] as const) {
    const gw = await startGateway(bucket, join(dir.path, `data-${kind.replace(/\W/g, '')}`));
    const client = new StoreClient(`127.0.0.1:${gw.grpcPort}`);
    for (const temp of ['cold', 'warm']) {
      const before = await bucketCounters(gw);
      const { ms, result } = await timed(() => fetchAll(client, mint, maxt));
      const after = await bucketCounters(gw);
      report(
        `${what}: store gateway, ${kind}, ${temp}`,
        `${ms.toFixed(0)} ms, ${result.series} series / ${result.samples} samples, ${after.requests - before.requests} bucket requests, ${((after.bytes - before.bytes) / 2 ** 20).toFixed(2)} MiB fetched`,
      );
    }
    report(`${what}: store gateway RSS after ${kind}`, `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    client.close();
    await gw.stop();
  }
  await s3.stop();

  // Prometheus opens the blocks found in its data directory at start.
  const promDir = join(dir.path, 'prometheus');
  for (const id of readdirSync(blocksDir)) cpSync(join(blocksDir, id), join(promDir, 'data', id), { recursive: true });
  const prom = await startPrometheus({ dir: promDir, extraArgs: ['--storage.tsdb.retention.time=100y'] });
  try {
    for (const temp of ['first', 'second']) {
      const url = `${prom.url}/api/v1/query_range?query=synthetic_metric&start=${mint / 1000}&end=${maxt / 1000}&step=15s`;
      const { ms, result } = await timed(async () => {
        const body = (await (await fetch(url)).json()) as { data: { result: Array<{ values: unknown[] }> } };
        return { series: body.data.result.length, samples: body.data.result.reduce((s, r) => s + r.values.length, 0) };
      });
      report(
        `${what}: Prometheus 2.42 query_range step 15s, ${temp}`,
        `${ms.toFixed(0)} ms, ${result.series} series / ${result.samples} points`,
      );
    }
  } finally {
    await prom.kill();
  }
  dir.cleanup();
}

// BENCH_PARTS=startup or BENCH_PARTS=query runs one half.
const parts = process.env.BENCH_PARTS ?? 'startup,query';
if (parts.includes('startup')) for (const n of [100, 1000]) await startupBench(n);
if (parts.includes('query')) for (const n of [100, 1000]) await rangeQueryBench(n);
console.log('\n| measurement | result |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
