// Ingest cost of a receive ring against a single receiver: samples per CPU-second summed over
// every receiver process (CPU from /proc, so the load generator's own work is not counted).
// npx vite-node bench/receive-ring/ring-bench.ts -- [--series 20000] [--samples 5] [--per-request 1000] [--connections 4]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  freePort,
  processUsage,
  startCli,
  tempDir,
  waitForHttpOk,
  type RunningProcess,
} from '../../packages/testkit/src/index';
import { planLoad, runLoad, type LoadPlan } from '../remote-write/loadgen';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    series: { type: 'string', default: '20000' },
    samples: { type: 'string', default: '5' },
    'per-request': { type: 'string', default: '1000' },
    connections: { type: 'string', default: '4' },
  },
});

interface Member {
  proc: RunningProcess;
  url: string;
}

async function startRing(dir: string, size: number, rf: number): Promise<Member[]> {
  const grpc = await Promise.all(Array.from({ length: size }, () => freePort()));
  const file = join(dir, 'hashrings.json');
  if (size > 1) writeFileSync(file, JSON.stringify([{ endpoints: grpc.map((p) => `127.0.0.1:${p}`) }]));
  return Promise.all(
    grpc.map(async (g, i) => {
      const rw = await freePort();
      const http = await freePort();
      const ring =
        size > 1
          ? [
              `--receive.hashrings-file=${file}`,
              `--receive.local-endpoint=127.0.0.1:${g}`,
              `--receive.replication-factor=${rf}`,
            ]
          : [];
      const proc = startCli([
        'receive',
        `--tsdb.path=${join(dir, `r${i}`)}`,
        `--remote-write.address=127.0.0.1:${rw}`,
        `--http-address=127.0.0.1:${http}`,
        `--grpc-address=127.0.0.1:${g}`,
        `--label=receive_replica="${i}"`,
        '--log.level=warn',
        ...ring,
      ]);
      await waitForHttpOk(`http://127.0.0.1:${http}/-/ready`, proc);
      return { proc, url: `http://127.0.0.1:${rw}/api/v1/receive` };
    }),
  );
}

async function measure(name: string, size: number, rf: number, plan: LoadPlan): Promise<number> {
  const dir = tempDir('ring-bench-');
  const members = await startRing(dir.path, size, rf);
  try {
    const before = members.map((m) => processUsage(m.proc.pid).cpuSeconds);
    // every receiver gets an equal share of the requests, as behind a load balancer
    const shares = members.map((_, i) => ({ ...plan, shards: plan.shards.filter((_, s) => s % members.length === i) }));
    const results = await Promise.all(members.map((m, i) => runLoad({ url: m.url, plan: shares[i] })));
    const cpu = members.reduce((sum, m, i) => sum + processUsage(m.proc.pid).cpuSeconds - before[i], 0);
    const failed = results.reduce((n, r) => n + r.failed, 0);
    const samples = results.reduce((n, r) => n + r.samples, 0);
    const perCpu = samples / cpu;
    for (const r of results) for (const e of r.errorSamples) console.error(`  ${name}: ${e}`);
    console.log(
      `| ${name} | ${samples} | ${failed} | ${cpu.toFixed(2)} | ${Math.round(perCpu)} | ${Math.round((perCpu * rf) / 1)} |`,
    );
    return (perCpu * rf) / 1;
  } finally {
    await Promise.all(members.map((m) => m.proc.stop()));
    dir.cleanup();
  }
}

const samplesPerSeries = Number(values.samples);
const stepMs = 15_000;
const plan = planLoad(
  {
    seriesCount: Number(values.series),
    samplesPerSeries,
    seriesPerRequest: Number(values['per-request']),
    startMs: Date.now() - (samplesPerSeries - 1) * stepMs,
    stepMs,
  },
  Number(values.connections) * 3,
);
console.log(`${plan.totalSamples} samples per run, ${plan.shards.length} senders`);
console.log(
  '| setup | samples acknowledged | failed | receivers CPU s | acknowledged samples / CPU s | stored samples / CPU s |',
);
console.log('|---|---|---|---|---|---|');
const single = await measure('1 receiver (ingestor only)', 1, 1, plan);
const rf1 = await measure('3 receivers, RF=1', 3, 1, plan);
const rf3 = await measure('3 receivers, RF=3', 3, 3, plan);
console.log(
  `\nrouting + forwarding overhead per stored sample: RF=1 ${((single / rf1 - 1) * 100).toFixed(0)}%, RF=3 ${((single / rf3 - 1) * 100).toFixed(0)}%`,
);
