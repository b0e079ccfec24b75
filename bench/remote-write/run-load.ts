// Command-line front end of the load generator.
// npx vite-node bench/remote-write/run-load.ts -- --url http://127.0.0.1:19291/api/v1/receive \
//   [--series 20000] [--samples 10] [--per-request 2000] [--connections 4] [--tenant t1] [--start-ms <ms>]
import { parseArgs } from 'node:util';
import { planLoad, runLoad } from './loadgen';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    url: { type: 'string' },
    series: { type: 'string', default: '20000' },
    samples: { type: 'string', default: '10' },
    'per-request': { type: 'string', default: '2000' },
    connections: { type: 'string', default: '4' },
    tenant: { type: 'string' },
    'start-ms': { type: 'string' },
  },
});
if (!values.url) {
  console.error('--url is required');
  process.exit(2);
}

const samplesPerSeries = Number(values.samples);
const stepMs = 15_000;
const plan = planLoad(
  {
    seriesCount: Number(values.series),
    samplesPerSeries,
    seriesPerRequest: Number(values['per-request']),
    // by default the last step lands on "now", so that a receiver's head accepts every sample
    startMs: values['start-ms'] ? Number(values['start-ms']) : Date.now() - (samplesPerSeries - 1) * stepMs,
    stepMs,
  },
  Number(values.connections),
);
console.log(
  `planned ${plan.shards.reduce((n, s) => n + s.bodies.length, 0)} requests, ${plan.totalSamples} samples, ` +
    `${(plan.totalBytes / 1e6).toFixed(1)} MB compressed, ${plan.shards.length} connections`,
);
const result = await runLoad({ url: values.url, tenant: values.tenant, plan });
console.log(JSON.stringify(result, null, 2));
