// The receiver's side of a range query alone: a tenant TSDB of 2 h blocks (24 h by default)
// answering StoreAPI Series through the same source store the receiver serves, frames encoded
// as gRPC would send them, without the network. Prints CPU ms per Series call. Run bundled:
//   node bench/run-bundled.mjs bench/query/serve-bench.ts
// BENCH_SERIES counters plus as many bucket series (default 2000), BENCH_HOURS (default 24),
// BENCH_RUNS calls (default 5). An output file as argument: a CPU profile of the calls alone.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { TenantStoreSource } from '../../packages/receive/src/tenant-store';
import {
  createSourceStore,
  encodeSeriesResponse,
  LabelMatcherType,
  PartialResponseStrategy,
  type SeriesRequest,
  type SeriesResponse,
} from '../../packages/storepb/src/index';
import { tempDir } from '../../packages/testkit/src/index';
import { Tsdb } from '../../packages/tsdb/src/index';
import { dataSet, INTERVAL } from './bench-data';
import { writeBlockData } from './block-data';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Series per frame, as our querier asks for. */
const BATCH = 64;

async function main(): Promise<void> {
  const dir = tempDir('serve-bench-');
  const samples = Math.floor((HOURS * 3600_000) / INTERVAL);
  const start = Math.floor((Date.now() - HOURS * 3600_000) / 60_000) * 60_000;
  const tenantDir = join(dir.path, 'tenant');
  await writeBlockData(join(dir.path, 'prometheus'), tenantDir, dataSet(SERIES), { series: SERIES, samples, start });
  const db = await Tsdb.open(tenantDir);
  const { store } = createSourceStore({
    componentType: 'receive',
    sources: () => [new TenantStoreSource(db, [{ name: 'replica', value: 'a' }])],
  });
  const req: SeriesRequest = {
    minTime: start,
    maxTime: start + samples * INTERVAL,
    matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'x' }],
    maxResolutionWindow: 0,
    aggregates: [],
    partialResponseDisabled: false,
    partialResponseStrategy: PartialResponseStrategy.ABORT,
    skipChunks: false,
    step: 0,
    range: 0,
    withoutReplicaLabels: [],
    limit: 0,
    responseBatchSize: BATCH,
  };
  const profileFile = process.argv[2];
  const session = new Session();
  if (profileFile) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let run = 0; run < RUNS; run++) {
    let bytes = 0;
    let batch: SeriesResponse[] = [];
    const sink = {
      send(resp: SeriesResponse) {
        batch.push(resp);
        if (batch.length === BATCH) {
          const series = batch.map((r) => (r.type === 'series' ? r.series : undefined)).filter((s) => s !== undefined);
          bytes += encodeSeriesResponse({ type: 'batch', batch: series }).length;
          batch = [];
        }
      },
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await store.series(req, sink as never, { signal: new AbortController().signal } as never);
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `run ${run + 1}: ${((cpu.user + cpu.system) / 1000).toFixed(0)} CPU ms, ${(performance.now() - t0).toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB of frames`,
    );
  }
  if (profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  await db.close();
  dir.cleanup();
}

await main();
