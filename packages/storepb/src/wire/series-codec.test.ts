import { seededRandom } from '@thanos-ts/testkit';
import { describe, expect, it } from 'vitest';
import { loadUpstreamProtoRoot } from '../proto/upstream';
import type { AggrChunk, Series, SeriesResponse } from '../types';
import { decodeSeriesResponse, encodeSeriesResponse } from './series-codec';

const upstream = loadUpstreamProtoRoot();
const SeriesResponsePb = upstream.lookupType('thanos.SeriesResponse');

/** Seeded 32-bit unsigned integers. */
function prng(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.floor(random() * 2 ** 32);
}

function randomSeries(rand: () => number, i: number): Series {
  const chunks: AggrChunk[] = [];
  const n = rand() % 4;
  for (let c = 0; c < n; c++) {
    const data = new Uint8Array(1 + (rand() % 300));
    for (let k = 0; k < data.length; k++) data[k] = rand() & 0xff;
    chunks.push({
      minTime: 1_700_000_000_000 + c * 7200_000,
      maxTime: 1_700_000_000_000 + c * 7200_000 + 7199_000,
      raw: { type: 0, data },
    });
  }
  return {
    labels: [
      { name: '__name__', value: `metric_${i % 7}` },
      { name: 'instance', value: `host-${i}.example:9100` },
      { name: 'job', value: 'node' },
    ],
    chunks,
  };
}

/** The same message as protobufjs would build it, zero-valued fields left out as gogoproto does. */
function toPbObject(resp: SeriesResponse): Record<string, unknown> {
  const series = (s: Series) => ({
    labels: s.labels.map((l) => ({ ...(l.name ? { name: l.name } : {}), ...(l.value ? { value: l.value } : {}) })),
    chunks: s.chunks.map((c) => {
      const o: Record<string, unknown> = {};
      if (c.minTime) o.minTime = String(c.minTime);
      if (c.maxTime) o.maxTime = String(c.maxTime);
      for (const f of ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const) {
        const ch = c[f];
        if (!ch) continue;
        const co: Record<string, unknown> = {};
        if (ch.type) co.type = ch.type;
        if (ch.data.length) co.data = ch.data;
        if (ch.hash) co.hash = ch.hash.toString();
        o[f] = co;
      }
      return o;
    }),
  });
  switch (resp.type) {
    case 'series':
      return { series: series(resp.series) };
    case 'warning':
      return { warning: resp.warning };
    case 'hints':
      // protobufjs's built-in google.protobuf.Any keeps the snake_case field name.
      return { hints: { type_url: resp.hints.typeUrl, value: resp.hints.value } };
    case 'batch':
      return { batch: { series: resp.batch.map(series) } };
  }
}

/** As a plain Uint8Array (protobufjs hands out Buffers in Node). */
function pbEncode(resp: SeriesResponse): Uint8Array {
  return new Uint8Array(SeriesResponsePb.encode(SeriesResponsePb.fromObject(toPbObject(resp))).finish());
}

const cases: [string, SeriesResponse][] = [
  ['series with raw chunks', { type: 'series', series: randomSeries(prng(1), 1) }],
  [
    'downsampled chunk with all aggregates, hashes and an encoding type',
    {
      type: 'series',
      series: {
        labels: [{ name: 'a', value: 'ü→𝄞' }],
        chunks: [
          {
            minTime: -5,
            maxTime: 300_000,
            count: { type: 0, data: Uint8Array.of(1, 2) },
            sum: { type: 0, data: Uint8Array.of(3), hash: 0xffffffffffffffffn },
            min: { type: 2, data: Uint8Array.of(4) },
            max: { type: 1, data: Uint8Array.of(5), hash: 12345n },
            counter: { type: 0, data: Uint8Array.of(6, 7, 8) },
          },
        ],
      },
    },
  ],
  ['labels-only series (skip_chunks)', { type: 'series', series: { labels: [{ name: 'x', value: '' }], chunks: [] } }],
  ['warning', { type: 'warning', warning: 'store 10.0.0.1:10901 unavailable: ✗' }],
  [
    'hints',
    {
      type: 'hints',
      hints: { typeUrl: 'type.googleapis.com/hintspb.SeriesResponseHints', value: Uint8Array.of(10, 3, 10, 1, 65) },
    },
  ],
  ['batch', { type: 'batch', batch: [randomSeries(prng(2), 2), randomSeries(prng(3), 3)] }],
];

describe('SeriesResponse codec', () => {
  it.each(cases)('%s: encodes byte-identically to protobufjs from the upstream .proto', (_name, resp) => {
    expect(Buffer.from(encodeSeriesResponse(resp)).equals(Buffer.from(pbEncode(resp)))).toBe(true);
  });

  it.each(cases)('%s: decodes what protobufjs encodes', (_name, resp) => {
    expect(decodeSeriesResponse(pbEncode(resp))).toEqual(normalise(resp));
  });

  it('protobufjs decodes our frames to the same values', () => {
    const resp = cases[1][1] as Extract<SeriesResponse, { type: 'series' }>;
    const decoded = SeriesResponsePb.toObject(SeriesResponsePb.decode(encodeSeriesResponse(resp)), {
      longs: String,
    }) as { series: { labels: unknown[]; chunks: Record<string, { data: Uint8Array; hash?: string }>[] } };
    expect(decoded.series.labels).toEqual([{ name: 'a', value: 'ü→𝄞' }]);
    const c = decoded.series.chunks[0];
    expect(c.minTime).toBe('-5');
    expect(c.maxTime).toBe('300000');
    expect(c.sum.hash).toBe('18446744073709551615');
    expect([...c.counter.data]).toEqual([6, 7, 8]);
    expect(c.raw).toBeUndefined();
  });

  it('maps the safe-integer sentinels to Go MinInt64/MaxInt64 and back', () => {
    const resp: SeriesResponse = {
      type: 'series',
      series: { labels: [], chunks: [{ minTime: Number.MIN_SAFE_INTEGER, maxTime: Number.MAX_SAFE_INTEGER }] },
    };
    const decoded = SeriesResponsePb.toObject(SeriesResponsePb.decode(encodeSeriesResponse(resp)), { longs: String });
    expect(decoded.series.chunks[0]).toEqual({ minTime: '-9223372036854775808', maxTime: '9223372036854775807' });
    const back = decodeSeriesResponse(encodeSeriesResponse(resp));
    expect(back).toEqual(resp);
    const pbBig = SeriesResponsePb.encode(
      SeriesResponsePb.fromObject({
        series: { chunks: [{ minTime: '-9000000000000000000', maxTime: '9000000000000000000' }] },
      }),
    ).finish();
    expect(decodeSeriesResponse(pbBig)).toEqual(resp);
  });

  it('hands chunk bytes out as views of the received buffer, without copying', () => {
    const frame = encodeSeriesResponse(cases[0][1]);
    const decoded = decodeSeriesResponse(frame);
    if (decoded.type !== 'series') throw new Error('expected series');
    for (const c of decoded.series.chunks) expect(c.raw!.data.buffer).toBe(frame.buffer);
  });

  it('skips fields it does not know (newer Thanos versions)', () => {
    // Series frame followed by unknown field 15 (varint) and 14 (bytes).
    const known = encodeSeriesResponse(cases[2][1]);
    const withUnknown = Buffer.concat([known, Buffer.from([15 << 3, 0x96, 0x01, (14 << 3) | 2, 2, 0xaa, 0xbb])]);
    expect(decodeSeriesResponse(withUnknown)).toEqual(cases[2][1]);
  });

  it('rejects truncated frames with the message name and offset', () => {
    const frame = encodeSeriesResponse(cases[0][1]);
    expect(() => decodeSeriesResponse(frame.subarray(0, frame.length - 3))).toThrow(
      /thanos.SeriesResponse: .* at byte offset \d+/,
    );
    expect(() => decodeSeriesResponse(new Uint8Array(0))).toThrow(/empty message/);
  });
});

/** Decoding fills proto3 defaults the encoder left out. */
function normalise(resp: SeriesResponse): SeriesResponse {
  const series = (s: Series): Series => ({
    labels: s.labels,
    chunks: s.chunks.map((c) => {
      const o: AggrChunk = { minTime: c.minTime, maxTime: c.maxTime };
      for (const f of ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const) {
        const ch = c[f];
        if (ch) o[f] = ch.hash ? { type: ch.type, data: ch.data, hash: ch.hash } : { type: ch.type, data: ch.data };
      }
      return o;
    }),
  });
  if (resp.type === 'series') return { type: 'series', series: series(resp.series) };
  if (resp.type === 'batch') return { type: 'batch', batch: resp.batch.map(series) };
  return resp;
}
