// Splits the `perf record` profiles of a ring-bench run (`ring-bench.ts --perf DIR`) into the
// stages of a write, in CPU seconds. Unlike V8's --cpu-prof, whose samples are wall-clock
// intervals of the JS thread (time spent waiting for a core is charged to whatever JS was
// running), perf's cpu-clock samples count on-CPU time only, of every thread (GC helpers and
// the compiler included). A sample goes to the stage of the innermost frame that names one.
// Usage:
//   node bench/receive-ring/perf-stages.mjs DIR/<setup>            stages
//   STAGE="node http2" node bench/receive-ring/perf-stages.mjs ...  also the top frames of one stage
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Stage by frame (JS frames read `JS:*name file:line:col`, `*` optimized, `^` baseline, `~` interpreted). */
const STAGES = [
  ['GC', /Scavenger|MarkCompact|ConcurrentMarking|Heap::|Sweeper|MarkingVisitor|IncrementalMarking|ArrayBufferSweeper/],
  ['JIT compiler', /v8::internal::compiler::|Compiler::|Baseline(Batch)?Compiler|Maglev/],
  ['local ingest', /JS:.(ingestSeries|writeTenants|commit) /],
  ['remote-write decode', /JS:.decodeWriteRequest\d* |decompress/],
  ['forwarded-request parse', /JS:.parseForwardedRequest /],
  // the router's hashLabelRanges is charged to plan, the TSDB's (same name) to ingestSeries
  ['router hashing + plan', /JS:.(hashSeries|plan) /],
  ['forward request build', /JS:.encodeForwardRequest /],
  ['router replicate/peer', /JS:.(replicate|send|forward|remoteWrite|record) /],
  ['grpc-js server', /@grpc\/grpc-js/],
  ['fastify', /node_modules\/(fastify|find-my-way|fast-|avvio|light-my)/],
  ['node http2', /node:internal\/http2|nghttp2|Http2Session|Http2Stream/],
  ['node http1', /node:_http|llhttp/],
  ['node streams/events/net', /node:internal\/streams|node:net|node:events|stream_base|StreamBase|LibuvStreamWrap/],
  ['kernel', /^\[k\]|do_writev|vfs_|tcp_|__GI___writev|epoll|sys_|entry_SYSCALL/],
];

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/receive-ring/perf-stages.mjs DIR/<setup>');
  process.exit(2);
}
const stages = new Map();
const within = new Map();
let total = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.data'))) {
  const out = execFileSync('perf', ['script', '-i', join(dir, f), '-F', 'pid,tid,period,ip,sym'], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  for (const block of out.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l.trim());
    const head = /^\s*(\d+)\/(\d+)\s+(\d+)/.exec(lines[0] ?? '');
    if (!head) continue;
    const seconds = Number(head[3]) / 1e9;
    total += seconds;
    const frames = lines.slice(1).map((l) =>
      l
        .trim()
        .replace(/^[0-9a-f]+\s+/, '')
        .replace(/\+0x[0-9a-f]+$/, '')
        .replace(/file:\/\/\/\S*\/(\.ring-cli-[^ :]*)/, '$1'),
    );
    let stage = head[1] === head[2] ? 'other, main thread' : 'other, helper threads';
    search: for (const frame of frames) {
      for (const [name, re] of STAGES) {
        if (re.test(frame)) {
          stage = name;
          break search;
        }
      }
    }
    stages.set(stage, (stages.get(stage) ?? 0) + seconds);
    if (process.env.STAGE === stage) within.set(frames[0], (within.get(frames[0]) ?? 0) + seconds);
  }
}
const show = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${v.toFixed(2).padStart(7)} s ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
console.log(`CPU sampled: ${total.toFixed(2)} s`);
console.log(`--- by stage\n${show(stages, 40)}`);
if (process.env.STAGE) console.log(`--- top frames of "${process.env.STAGE}"\n${show(within, 30)}`);
