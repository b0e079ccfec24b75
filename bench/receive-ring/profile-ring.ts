// Three receivers in one process under load (rf 0: one receiver alone), for `node --cpu-prof`:
// where does the ring spend CPU? The CPU figure covers the load only (plan encoding excluded).
// BENCH_NODE_FLAGS=--cpu-prof node bench/run-bundled.mjs bench/receive-ring/profile-ring.ts [rf] [series]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../packages/runtime/src/index';
import { loopbackReceiverConfig, Receiver } from '../../packages/receive/src/index';
import { planLoad, runLoad } from '../remote-write/loadgen';

const rf = Number(process.argv[2] ?? '1');
const port = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
const dir = mkdtempSync(join(tmpdir(), 'ring-profile-'));
const ports = rf === 0 ? [await port()] : [await port(), await port(), await port()];
const file = join(dir, 'hashrings.json');
writeFileSync(file, JSON.stringify([{ endpoints: ports.map((p) => `127.0.0.1:${p}`) }]));
const receivers = ports.map(
  (p) =>
    new Receiver(
      loopbackReceiverConfig(join(dir, String(p)), {
        grpcAddress: `127.0.0.1:${p}`,
        localEndpoint: `127.0.0.1:${p}`,
        hashringsFile: rf === 0 ? undefined : file,
        replicationFactor: Math.max(rf, 1),
        externalLabels: [{ name: 'replica', value: String(p) }],
        logger: createLogger({ level: 'warn' }),
        flushOnShutdown: false,
      }),
    ),
);
for (const r of receivers) await r.start();
const plan = planLoad(
  {
    seriesCount: Number(process.argv[3] ?? '6000'),
    samplesPerSeries: 4,
    seriesPerRequest: 500,
    startMs: Date.now() - 60_000,
    stepMs: 15_000,
  },
  3,
);
const cpu0 = process.cpuUsage();
const result = await runLoad({ url: `http://127.0.0.1:${receivers[0].remoteWritePort}/api/v1/receive`, plan });
const cpu = process.cpuUsage(cpu0);
console.log(
  `rf=${rf} samples=${result.samples} failed=${result.failed} cpu=${((cpu.user + cpu.system) / 1e6).toFixed(2)}s`,
);
for (const r of receivers) await r.stop();
rmSync(dir, { recursive: true, force: true });
