// Profiles range queries end to end (querier -> StoreAPI -> receiver, one process) and
// times the Series fan-out alone. Run bundled, as production runs:
//   node bench/run-bundled.mjs bench/query/profile-query.ts [out.cpuprofile]
// Size: BENCH_SERIES (default 2000) counters plus as many bucket series, 2 h of 15 s samples;
// BENCH_RUNS repetitions of each query (default 3). Only the query phase is profiled, and
// only when an output file is given. Prints wall and CPU time (this process: querier and
// receiver) per query; CPU time is the steadier figure on a shared machine.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { loopbackReceiverConfig, Receiver } from '../../packages/receive/src/index';
import { tempDir } from '../../packages/testkit/src/index';
import { LabelMatcherType, PartialResponseStrategy, StoreClient } from '../../packages/storepb/src/index';
import { dataSet, INTERVAL, QUERIES, remoteWrite, startBenchQuerier } from './bench-data';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLES = 480;
const START = Math.floor((Date.now() - SAMPLES * INTERVAL - 600_000) / 60_000) * 60_000;
const END = START + (SAMPLES - 1) * INTERVAL;
const shape = { series: SERIES, samples: SAMPLES, start: START };

async function main(): Promise<void> {
  const dir = tempDir('query-profile-');
  const receiver = new Receiver(loopbackReceiverConfig(join(dir.path, 'receive')));
  await receiver.start();
  await remoteWrite(receiver.remoteWritePort, dataSet(SERIES), shape);
  const { querier, lastTiming } = await startBenchQuerier(receiver.grpcPort);
  const client = new StoreClient(`127.0.0.1:${receiver.grpcPort}`);
  const seriesCall = async (name: string) => {
    const t0 = performance.now();
    let n = 0;
    for await (const r of client.series({
      minTime: START,
      maxTime: END,
      matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: name }],
      partialResponseStrategy: PartialResponseStrategy.WARN,
      responseBatchSize: 64,
    })) {
      if (r.type === 'series') n++;
    }
    return { ms: performance.now() - t0, n };
  };
  const profileFile = process.argv[2];
  const session = new Session();
  if (profileFile) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const cpuTotals = new Map<string, number[]>();
  try {
    for (const name of ['nonexistent', 'x']) {
      const times: string[] = [];
      for (let r = 0; r < RUNS; r++) {
        const c = await seriesCall(name);
        times.push(`${c.ms.toFixed(1)}(${c.n})`);
      }
      console.log(`Series ${name}: ${times.join(' ')} ms`);
    }
    for (const q of QUERIES) {
      for (let r = 0; r < RUNS; r++) {
        const params = new URLSearchParams({
          query: q,
          start: String(START / 1000 + 600),
          end: String(END / 1000),
          step: '60',
        });
        const c0 = cpuMs();
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${querier.httpPort}/api/v1/query_range?${params}`);
        const text = await res.text();
        const ms = performance.now() - t0;
        const cpu = cpuMs() - c0;
        cpuTotals.set(q, [...(cpuTotals.get(q) ?? []), cpu]);
        console.log(
          `${q}: total ${ms.toFixed(0)} cpu ${cpu.toFixed(0)} fan-out ${lastTiming().fanOutMs.toFixed(0)} decode ${lastTiming().decodeMs.toFixed(0)} eval ${lastTiming().evalMs.toFixed(0)} (${text.length} bytes)`,
        );
      }
    }
    for (const [q, cpus] of cpuTotals) {
      const sorted = [...cpus].sort((a, b) => a - b);
      console.log(`median CPU ms ${sorted[Math.floor(cpus.length / 2)].toFixed(0)} min ${sorted[0].toFixed(0)}  ${q}`);
    }
  } finally {
    if (profileFile) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
    }
    client.close();
    await querier.stop();
    await receiver.stop();
    dir.cleanup();
  }
}

await main();
