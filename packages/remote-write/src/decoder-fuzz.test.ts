import { describe, expect, it } from 'vitest';
import { RemoteWriteError } from './errors';
import { loadRemoteWriteFixtures } from './test-fixtures';
import { compressSnappyBlock } from './snappy';
import { decodeRemoteWriteBody, decodeWriteRequest } from './write-request-decoder';
import { encodeWriteRequest, MetricType } from './write-request-encoder';
import type { WriteRequestView } from './write-request-view';

// The fixtures have no native histograms and only ASCII labels: add a request that has them.
const synthetic = encodeWriteRequest({
  timeseries: [
    {
      labels: [
        { name: '__name__', value: 'rw_histogram' },
        { name: 'zone', value: 'zürich-東' },
      ],
      timestamps: [-5, 1_700_000_000_000],
      values: Float64Array.of(1.5, -0),
      exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 2, timestamp: 1_700_000_000_001 }],
      // count_int 3, sum 1.5, schema 1, positive span {offset 0, length 2}, deltas [1, 1], timestamp 7
      histograms: [
        Uint8Array.from(Buffer.from('0803 19000000000000f83f 2002 5a021002 6202 0202 7807'.replace(/ /g, ''), 'hex')),
      ],
    },
  ],
  metadata: [{ type: MetricType.HISTOGRAM, metricFamilyName: 'rw_histogram', help: 'h', unit: 's' }],
});
const corpus = [
  ...loadRemoteWriteFixtures().map((f) => ({ pb: f.pb, bin: f.bin })),
  { pb: synthetic, bin: compressSnappyBlock(synthetic) },
];

/** Deterministic xorshift32 so that a failure can be replayed. */
function prng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function splice(b: Uint8Array, at: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(b.length + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at), at + insert.length);
  return out;
}

function mutate(src: Uint8Array, rnd: (n: number) => number): Uint8Array {
  const b = src.slice();
  switch (rnd(5)) {
    case 0: // flip a few bits
      for (let k = 1 + rnd(4); k > 0 && b.length > 0; k--) b[rnd(b.length)] ^= 1 << rnd(8);
      return b;
    case 1: // truncate
      return b.subarray(0, rnd(b.length + 1));
    case 2: // overwrite a byte with a varint-ish value (lengths, tags)
      if (b.length > 0) b[rnd(b.length)] = [0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x09][rnd(7)];
      return b;
    case 3: {
      // splice in a huge length prefix
      const at = rnd(b.length + 1);
      const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
      return splice(b, at, [0x0a, ...huge.slice(rnd(huge.length))]);
    }
    default: {
      // random bytes at a random place
      const at = rnd(b.length + 1);
      const junk = Array.from({ length: 1 + rnd(16) }, () => rnd(256));
      return splice(b, at, junk);
    }
  }
}

/** A successful decode must be internally consistent and sized by the input, not by length fields. */
function checkView(view: WriteRequestView, inputLength: number): void {
  const starts = [view.seriesLabelStart, view.seriesSampleStart, view.seriesExemplarStart, view.seriesHistogramStart];
  for (const s of starts) {
    expect(s.length).toBe(view.seriesCount + 1);
    expect(s.every((v, i) => i === 0 || v >= s[i - 1])).toBe(true);
  }
  expect(view.seriesSampleStart[view.seriesCount]).toBe(view.sampleCount);
  expect(view.timestamps.length).toBe(view.sampleCount);
  expect(view.labelRefs.every((v) => v <= view.buffer.length)).toBe(true);
  const allocated = [view.values, view.timestamps, view.labelRefs, view.seriesByteRange].reduce(
    (n, a) => n + a.buffer.byteLength,
    0,
  );
  expect(allocated).toBeLessThan(64 * inputLength + 65536);
  for (let s = 0; s < view.seriesCount; s++) view.seriesLabels(s);
}

function decodeOrTypedError(fn: () => WriteRequestView, inputLength: number): 'ok' | 'error' {
  let view: WriteRequestView;
  try {
    view = fn();
  } catch (err) {
    if (!(err instanceof RemoteWriteError)) throw err;
    return 'error';
  }
  checkView(view, inputLength);
  return 'ok';
}

describe('decoder fuzzing with mutated fixture bodies', () => {
  it('starts from a synthetic request the decoder reads in full', () => {
    const view = decodeWriteRequest(synthetic);
    expect([view.seriesCount, view.sampleCount, view.exemplarCount, view.histogramCount]).toEqual([1, 2, 1, 1]);
    expect(view.metadataCount).toBe(1);
    expect(view.seriesLabels(0)[1].value).toBe('zürich-東');
    expect(Array.from(view.timestamps)).toEqual([-5, 1_700_000_000_000]);
  });

  it('protobuf level: every mutation decodes consistently or throws a typed error', () => {
    const rnd = prng(0x5eed);
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < 6000; i++) {
      const fx = corpus[rnd(corpus.length)];
      const body = mutate(fx.pb, rnd);
      outcomes[decodeOrTypedError(() => decodeWriteRequest(body), body.length)]++;
    }
    // both paths must actually be exercised
    expect(outcomes.ok).toBeGreaterThan(300);
    expect(outcomes.error).toBeGreaterThan(300);
  });

  it('HTTP body level: snappy and protobuf errors are all typed, with a 1 MiB decoded-size limit', () => {
    const rnd = prng(0xc0ffee);
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < 3000; i++) {
      const fx = corpus[rnd(corpus.length)];
      const body = mutate(fx.bin, rnd);
      outcomes[decodeOrTypedError(() => decodeRemoteWriteBody(body, 1 << 20), body.length)]++;
    }
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.error).toBeGreaterThan(100);
  });
});
