// Micro-benchmarks of the remote_write codec. Run: npx vite-node bench/remote-write/codec-bench.ts
// Prints decode cost per sample (ours vs protobufjs), snappy MB/s (native vs snappyjs) and label-set
// hashes per second (xxhash-wasm vs xxhashjs). Results and conclusions are kept in bench/README.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import * as nativeSnappy from 'snappy';
import snappyjs from 'snappyjs';
import xxhashWasm from 'xxhash-wasm';
import XXH from 'xxhashjs';
import {
  decodeRemoteWriteBody,
  decodeWriteRequest,
  encodeWriteRequest,
  hashViewSeries,
  thanosSeriesHashInput,
  type WriteRequestInput,
} from '../../packages/remote-write/src/index';
import { seededRandom } from '../../packages/testkit/src/index';
import { generateSeries } from './series-generator';

const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 1000);

/** CPU time (user + system) of this process in µs: robust against other load on the machine. */
function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * Runs `fn` repeatedly for at least MIN_MS of CPU time (after a warm-up) and returns the mean CPU time per
 * call in µs (GC included, since it runs on this process' threads).
 */
function measure(fn: () => unknown): number {
  const warmEnd = cpuMicros() + (MIN_MS * 1000) / 4;
  while (cpuMicros() < warmEnd) fn();
  let calls = 0;
  const start = cpuMicros();
  let now = start;
  while (now - start < MIN_MS * 1000) {
    for (let i = 0; i < 10; i++) fn();
    calls += 10;
    now = cpuMicros();
  }
  return (now - start) / calls;
}

function loadProtobufjsWriteRequest(): protobuf.Type {
  const dir = join(new URL('../../..', import.meta.url).pathname, 'shared', 'proto-reference', 'prometheus');
  const strip = (src: string) =>
    src
      .replace(/^import .*$/gm, '')
      .replace(/\[\(gogoproto\.[^\]]*\]/g, '')
      .replace(/^option .*$/gm, '');
  const root = new protobuf.Root();
  protobuf.parse(strip(readFileSync(join(dir, 'types.proto'), 'utf8')), root, { keepCase: true });
  protobuf.parse(strip(readFileSync(join(dir, 'remote.proto'), 'utf8')), root, { keepCase: true });
  return root.lookupType('prometheus.WriteRequest');
}

/** A request like one Prometheus queue shard sends: `seriesCount` series, `samples` samples each. */
function realisticRequest(seriesCount: number, samples: number): WriteRequestInput {
  const rnd = seededRandom(42);
  return {
    timeseries: generateSeries(seriesCount).map((s) => ({
      labels: s.labels,
      timestamps: Array.from({ length: samples }, (_, k) => 1_700_000_000_000 + k * 15_000 + Math.floor(rnd() * 3)),
      values: Float64Array.from({ length: samples }, () => Math.round(rnd() * 1e8) / 100),
    })),
  };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits).padStart(10);
const WriteRequestPb = loadProtobufjsWriteRequest();
const xxhash = await xxhashWasm();

console.log(`remote-write codec benchmark (node ${process.version}, min ${MIN_MS} ms CPU time per figure)`);
{
  // A trivial byte loop, to put the figures below in proportion to this machine's speed.
  const bytes = new Uint8Array(1 << 20).map((_, i) => i);
  let sink = 0;
  const us = measure(() => {
    let sum = 0;
    for (let i = 0; i < bytes.length; i++) sum += bytes[i];
    sink = sum;
  });
  console.log(`calibration: JS byte-sum loop ${fmt(bytes.length / us, 0)} MB/s${sink < 0 ? '!' : ''}\n`);
}

for (const [seriesCount, samples] of [
  [2000, 1],
  [500, 1],
  [100, 60],
]) {
  const pb = encodeWriteRequest(realisticRequest(seriesCount, samples));
  const body = nativeSnappy.compressSync(pb);
  const sampleCount = seriesCount * samples;
  const view = decodeWriteRequest(pb);
  const input = realisticRequest(seriesCount, samples);
  const encode = measure(() => encodeWriteRequest(input));
  const ours = measure(() => decodeWriteRequest(pb));
  const theirs = measure(() => WriteRequestPb.decode(pb));
  const hashAll = measure(() => {
    for (let s = 0; s < view.seriesCount; s++) hashViewSeries(view, s, 'default-tenant');
  });
  const pipeline = measure(() => {
    const v = decodeRemoteWriteBody(body);
    for (let s = 0; s < v.seriesCount; s++) hashViewSeries(v, s, 'default-tenant');
  });
  console.log(`request: ${seriesCount} series x ${samples} samples, ${pb.length} B protobuf, ${body.length} B snappy`);
  console.log(
    `  decodeWriteRequest (ours)        ${fmt(ours)} µs/request ${fmt((ours * 1000) / sampleCount)} ns/sample`,
  );
  console.log(
    `  protobufjs WriteRequest.decode   ${fmt(theirs)} µs/request ${fmt((theirs * 1000) / sampleCount)} ns/sample`,
  );
  console.log(`  speed-up                         ${fmt(theirs / ours)} x`);
  console.log(
    `  encodeWriteRequest (ours)        ${fmt(encode)} µs/request ${fmt((encode * 1000) / sampleCount)} ns/sample`,
  );
  console.log(
    `  hash every series (wasm)         ${fmt(hashAll)} µs/request ${fmt((hashAll * 1000) / seriesCount)} ns/series`,
  );
  console.log(
    `  snappy + decode + hash           ${fmt(pipeline)} µs/request ${fmt((pipeline * 1000) / sampleCount)} ns/sample`,
  );

  const jsBody = snappyjs.compress(pb);
  const mbps = (us: number) => pb.length / us;
  const nUncompress = measure(() => nativeSnappy.uncompressSync(body));
  const jUncompress = measure(() => snappyjs.uncompress(jsBody));
  const nCompress = measure(() => nativeSnappy.compressSync(pb));
  const jCompress = measure(() => snappyjs.compress(pb));
  console.log(
    `  snappy uncompress native         ${fmt(mbps(nUncompress), 0)} MB/s  snappyjs ${fmt(mbps(jUncompress), 0)} MB/s`,
  );
  console.log(
    `  snappy compress   native         ${fmt(mbps(nCompress), 0)} MB/s  snappyjs ${fmt(mbps(jCompress), 0)} MB/s`,
  );
  console.log();
}

{
  const series = generateSeries(1000);
  const inputs = series.map((s) => thanosSeriesHashInput('default-tenant', s.labels));
  const meanLen = inputs.reduce((n, b) => n + b.length, 0) / inputs.length;
  const buffers = inputs.map((b) => Buffer.from(b));
  const wasm = measure(() => {
    for (const b of inputs) xxhash.h64Raw(b, 0n);
  });
  const js = measure(() => {
    for (let i = 0; i < 20; i++) XXH.h64(buffers[i], 0);
  });
  console.log(`label-set hash input: mean ${meanLen.toFixed(0)} bytes`);
  console.log(`  xxhash-wasm h64Raw               ${fmt(inputs.length / wasm, 2)} M hashes/s`);
  console.log(`  xxhashjs h64                     ${fmt(20 / js, 4)} M hashes/s`);
}
