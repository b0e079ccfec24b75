// Splits the CPU profiles of a ring-bench run (`ring-bench.ts --cpu-prof DIR`) into the stages of
// a write, counting only samples inside the load's time window. A sample is charged to the
// innermost stage found on its stack, so nested stages (the local ingest under a forwarded
// request) are not counted twice. Usage:
//   node bench/receive-ring/profile-stages.mjs DIR/<setup>   [TOP=30 for the top self-time functions]
//   [STAGE="local ingest": the top self-time functions of that stage only]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stage by function name, innermost match wins; the first matching rule names it. */
const STAGES = [
  ['hashring hashing', ['hashSeries', 'addLabelUtf8', 'digest', 'getNForHash', 'h64Raw']],
  ['forward request build', ['encodeForwardRequest']],
  ['forwarded-request decode', ['parseForwardedRequest']],
  ['grpc-js client call', ['remoteWrite', 'makeUnaryRequest']],
  ['router plan/quorum', ['plan', 'replicate', 'record']],
  ['local ingest', ['writeTenants', 'ingestSeries', 'commit']],
  ['remote-write decode', ['decodeWriteRequest', 'decompressSnappyBlock']],
];
/** Third-party code with no stage of ours on the stack, by package. */
function packageOf(url) {
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node internals';
  return undefined;
}

const dir = process.argv[2];
const windows = {};
for (const f of readdirSync(dir).filter((f) => f.startsWith('windows-'))) {
  Object.assign(windows, JSON.parse(readFileSync(join(dir, f), 'utf8')));
}
const stages = new Map();
const self = new Map();
let total = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const pid = /\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(f)?.[1];
  const window = windows[pid];
  if (!window) continue;
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map();
  const stageFor = (id) => {
    if (stageOf.has(id)) return stageOf.get(id);
    const n = byId.get(id);
    const fn = n.callFrame.functionName;
    let stage = STAGES.find(([, fns]) => fns.includes(fn))?.[0];
    if (stage === undefined) {
      const up = parent.get(id);
      stage = up === undefined ? undefined : stageFor(up);
    }
    stageOf.set(id, stage);
    return stage;
  };
  // the window is given in milliseconds before the profile's end
  let t = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    const before = (p.endTime - p.startTime - t) / 1000; // ms before the end
    if (before > window[0] || before < window[1]) return;
    const n = byId.get(id);
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') return;
    total += dt;
    let stage = stageFor(id);
    if (stage === undefined) {
      stage = cf.functionName === '(garbage collector)' ? 'GC' : (packageOf(cf.url) ?? 'other');
      if (stage === 'other') {
        // unattributed work of ours: show what it is under
        for (let x = id; x !== undefined; x = parent.get(x)) {
          const pkg = packageOf(byId.get(x).callFrame.url);
          if (pkg) {
            stage = `other, under ${pkg}`;
            break;
          }
        }
      }
    }
    stages.set(stage, (stages.get(stage) ?? 0) + dt);
    if (process.env.STAGE !== undefined && stage !== process.env.STAGE) return;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-1)[0]}:${cf.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
}
const show = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${(v / 1e6).toFixed(2).padStart(7)} s ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
console.log(`CPU in the load window: ${(total / 1e6).toFixed(2)} s`);
console.log(`--- by stage\n${show(stages, 40)}`);
console.log(`--- top self time\n${show(self, Number(process.env.TOP ?? 30))}`);
