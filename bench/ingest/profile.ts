// Where our receiver's CPU goes while ingesting: runs the bundled receiver under `node --cpu-prof`, drives it with
// the benchmark load, then maps every profile sample back to its source file (through the CLI bundle's source map)
// and charges it to an ingest stage. A frame that belongs to no stage (a shared helper, a node builtin) is charged
// to the stage of its nearest caller that does, so e.g. `writeSync` counts as WAL work and `putVarint` as encoding.
//
// node bench/run-bundled.mjs bench/ingest/profile.ts [--size 100000x10] [--per-request 2000] [--top 25]
//   [--stage "HTTP/body + handler"] (also list that stage's top functions) [--save raw.cpuprofile]
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { tempDir } from '../../packages/testkit/src/index';
import { planLoad, runLoad } from '../remote-write/loadgen';
import { cli, startServer } from './servers';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100000x10' },
    'per-request': { type: 'string', default: '2000' },
    connections: { type: 'string', default: '4' },
    top: { type: 'string', default: '25' },
    /** Also list the top functions of this stage (by self time). */
    stage: { type: 'string' },
    /** Copy the raw .cpuprofile here (e.g. to open it in Chrome DevTools). */
    save: { type: 'string' },
  },
});

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount: number;
  children?: number[];
}

const SHUTDOWN = 'shutdown: head flushed to a block';
const LOOKUP = 'series lookup (hash + key compare)';
const APPEND = 'append loop (ingestSeries, HeadAppender.append)';
const OTHER = 'other (startup, timers)';

/** Stage of a frame by its original source file and function name; undefined: inherit the caller's. */
function classify(file: string, fn: string): string | undefined {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8/native (unattributed)';
  if (/tsdb\/src\/(block|index|db|wal\/checkpoint)/.test(file)) return SHUTDOWN;
  if (fn === 'truncate' || fn === 'removeSeries' || fn === 'liveSeries') return SHUTDOWN;
  if (file.includes('receive/src/router/') || file.includes('receive/src/hashring/')) return 'routing (hashring)';
  if (file.includes('remote-write/src/snappy')) return 'snappy decompress';
  if (file.includes('remote-write/src/')) return 'protobuf decode';
  if (file.includes('receive/src/ingest')) {
    // ingestSeries' self time is its sample loop, with HeadAppender.append inlined into it
    if (fn === 'ingestSeries') return APPEND;
    if (fn === 'assignTenants' || fn === 'resolveSeries') return LOOKUP;
    return 'series creation';
  }
  if (file.includes('tsdb/src/head/head')) {
    if (fn === 'lookup' || fn === 'lookupLabelRanges' || fn === 'hash') return LOOKUP;
    if (fn === 'create' || fn === 'series' || fn === 'insertSorted' || fn === 'internNames') return 'series creation';
    if (fn === 'append') return APPEND;
    if (fn === 'commit' || fn === 'finish') return 'commit loop';
    return undefined;
  }
  if (file.includes('tsdb/src/head/labels-key')) {
    if (['hashLabelRanges', 'keyEqualsLabelRanges', 'matchString'].includes(fn)) return LOOKUP;
    if (['labelsFromRanges', 'labelString', 'labelRangesKey', 'copy'].includes(fn)) return 'series creation';
    return undefined;
  }
  if (file.includes('tsdb/src/head/memseries')) return fn === 'MemSeries' ? 'series creation' : 'chunk append';
  if (file.includes('tsdb/src/record/')) return 'WAL record encode';
  if (file.includes('tsdb/src/wal/')) return 'WAL write (+snappy)';
  if (file.includes('tsdb/src/chunkenc/')) return 'chunk append';
  if (file.includes('receive/src/remote-write-api') || file.includes('receive/src/receiver'))
    return 'HTTP/body + handler';
  if (file.includes('receive/src/') || file.includes('tsdb/src/db/')) return undefined;
  if (/^node:(_http|http|net|stream|internal\/(http|stream|streams|net))/.test(file)) return 'HTTP/body + handler';
  if (/^node:/.test(file) || file === '') return undefined;
  if (file.includes('node_modules/xxhash-wasm') || file.startsWith('wasm:')) return LOOKUP;
  if (file.includes('node_modules/snappy')) return undefined;
  if (file.includes('node_modules/prom-client')) return 'metrics';
  return undefined;
}

const [seriesCount, samplesPerSeries] = values.size!.split('x').map(Number);
const plan = planLoad(
  {
    seriesCount,
    samplesPerSeries,
    seriesPerRequest: Number(values['per-request']),
    startMs: Date.now() - samplesPerSeries * 15_000,
  },
  Number(values.connections),
);
const dir = tempDir('ingest-profile-');
const profDir = join(dir.path, 'prof');
try {
  const server = await startServer('ours', dir.path, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
  const result = await runLoad({ url: server.writeUrl, plan });
  // SIGTERM: a clean exit writes the profile (it also flushes the head to a block, charged to "other")
  await server.proc.stop(120_000);
  console.log(`${result.samples} samples, ${result.failed} failed requests`);
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
  if (values.save) copyFileSync(join(profDir, file), values.save);
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as { nodes: ProfileNode[] };
  const bundle = cli();
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const sourceOf = (f: CallFrame): string => {
    if (!f.url.endsWith(basename(bundle))) return f.url;
    const entry = map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string };
    return entry.originalSource ?? f.url;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stageHits = new Map<string, number>();
  const fnHits = new Map<string, number>();
  const stageFnHits = new Map<string, number>();
  let total = 0;
  const walk = (id: number, inherited: string) => {
    const n = byId.get(id)!;
    const src = sourceOf(n.callFrame);
    // everything below the shutdown's head flush (chunk reads, WAL decoding for the checkpoint) belongs to it
    const stage = inherited === SHUTDOWN ? SHUTDOWN : (classify(src, n.callFrame.functionName) ?? inherited);
    if (n.callFrame.functionName !== '(idle)' && n.hitCount > 0) {
      total += n.hitCount;
      stageHits.set(stage, (stageHits.get(stage) ?? 0) + n.hitCount);
      if (stage === SHUTDOWN || stage === OTHER) return walkChildren(n, stage);
      const key = `${n.callFrame.functionName || '(anonymous)'} ${src.replace(/^.*\/packages\//, '')}`;
      fnHits.set(key, (fnHits.get(key) ?? 0) + n.hitCount);
      if (stage === values.stage) stageFnHits.set(key, (stageFnHits.get(key) ?? 0) + n.hitCount);
    }
    walkChildren(n, stage);
  };
  const walkChildren = (n: ProfileNode, stage: string) => {
    for (const c of n.children ?? []) walk(c, stage);
  };
  walk(profile.nodes[0].id, OTHER);
  const outside = (stageHits.get(SHUTDOWN) ?? 0) + (stageHits.get(OTHER) ?? 0);
  const ingest = total - outside;
  const pct = (h: number, of = total) => `${((100 * h) / of).toFixed(1).padStart(5)} %`;
  console.log(
    `\nstage shares of the ingest CPU samples (idle, startup and shutdown excluded: ${pct(outside)} of all):`,
  );
  for (const [stage, h] of [...stageHits].sort((a, b) => b[1] - a[1])) {
    if (stage !== SHUTDOWN && stage !== OTHER) console.log(`  ${pct(h, ingest)}  ${stage}`);
  }
  console.log(`\ntop ${values.top} ingest functions by self time (share of all samples):`);
  for (const [fn, h] of [...fnHits].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`  ${pct(h)}  ${fn}`);
  }
  if (values.stage) {
    console.log(`\ntop functions of stage "${values.stage}" by self time (share of all samples):`);
    for (const [fn, h] of [...stageFnHits].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
      console.log(`  ${pct(h)}  ${fn}`);
    }
  }
} finally {
  dir.cleanup();
}
