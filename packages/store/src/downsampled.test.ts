import { FilesystemBucket } from '@thanos-ts/objstore';
import { Aggr, LabelMatcherType, type Series } from '@thanos-ts/storepb';
import { tempDir } from '@thanos-ts/testkit';
import { writeBlock, XorChunkEncoder, XorChunkIterator } from '@thanos-ts/tsdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockSet } from './block-set';
import type { BucketBlock } from './bucket-block';
import { encodeAggrChunk } from '@thanos-ts/storepb';
import { aggrFields, CHUNK_ENC_AGGR } from './aggr-chunk';
import { fetchSeries, startGateway, type RunningGateway } from './testing/harness';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * HOUR));
const FIVE_MIN = 300_000;
const LABELS = [{ name: '__name__', value: 'up' }];

function xor(samples: Array<[number, number]>): Uint8Array {
  const e = new XorChunkEncoder();
  for (const [t, v] of samples) e.append(t, v);
  return e.bytes();
}

function samplesOf(data: Uint8Array): Array<[number, number]> {
  const it = new XorChunkIterator(data);
  const out: Array<[number, number]> = [];
  while (it.next()) out.push([it.t, it.v]);
  return out;
}

/** Window aggregates of one 5m window per sample: count, sum, min, max, counter. */
function aggregates(from: number, windows: number) {
  const ts = Array.from({ length: windows }, (_, k) => from + (k + 1) * FIVE_MIN - 1);
  return {
    count: ts.map((t): [number, number] => [t, 10]),
    sum: ts.map((t, k): [number, number] => [t, 100 + k]),
    min: ts.map((t): [number, number] => [t, 1]),
    max: ts.map((t): [number, number] => [t, 50]),
    counter: ts.map((t, k): [number, number] => [t, 1000 * k]),
  };
}

async function writeDownsampled(dir: string, mint: number, maxt: number): Promise<void> {
  const windows = (maxt - mint) / FIVE_MIN;
  const a = aggregates(mint, windows);
  const data = encodeAggrChunk(
    [a.count, a.sum, a.min, a.max, a.counter].map((samples) => ({ encoding: 1, data: xor(samples) })),
  ).data;
  await writeBlock(
    dir,
    [
      {
        labels: LABELS,
        chunks: [
          { minTime: a.count[0][0], maxTime: a.count[windows - 1][0], chunk: { encoding: CHUNK_ENC_AGGR, data } },
        ],
      },
    ],
    {
      mint,
      maxt,
      fsync: false,
      thanos: { labels: { cluster: 'x' }, downsample: { resolution: FIVE_MIN }, source: 'compactor' },
    },
  );
}

describe('downsampled blocks', () => {
  const dir = tempDir('store-downsampled-');
  let gw: RunningGateway;

  beforeAll(async () => {
    // Raw data for [T0, T0+4h); 5m data for [T0+2h, T0+4h) only.
    const raw: Array<[number, number]> = [];
    for (let t = T0; t < T0 + 4 * HOUR; t += 60_000) raw.push([t, t / 1000]);
    await writeBlock(
      dir.path,
      [
        {
          labels: LABELS,
          chunks: [0, 1].map((h) => {
            const part = raw.filter(([t]) => t >= T0 + 2 * h * HOUR && t < T0 + 2 * (h + 1) * HOUR);
            return { minTime: part[0][0], maxTime: part[part.length - 1][0], chunk: { encoding: 1, data: xor(part) } };
          }),
        },
      ],
      {
        mint: T0,
        maxt: T0 + 4 * HOUR,
        fsync: false,
        thanos: { labels: { cluster: 'x' }, downsample: { resolution: 0 }, source: 'test' },
      },
    );
    await writeDownsampled(dir.path, T0 + 2 * HOUR, T0 + 4 * HOUR);
    gw = await startGateway(new FilesystemBucket(dir.path));
  });
  afterAll(async () => {
    await gw.stop();
    dir.cleanup();
  });

  const query = async (maxResolutionWindow: number, aggregates: Aggr[] = []): Promise<Series[]> =>
    (
      await fetchSeries(gw.client, {
        minTime: T0,
        maxTime: T0 + 4 * HOUR,
        maxResolutionWindow,
        aggregates,
        matchers: [{ type: LabelMatcherType.EQ, name: '__name__', value: 'up' }],
      })
    ).series;

  it('serves only raw data when the resolution window is below 5m', async () => {
    const [s] = await query(FIVE_MIN - 1, [Aggr.RAW]);
    expect(s.chunks.map((c) => c.raw !== undefined)).toEqual([true, true]);
    expect(s.chunks.flatMap((c) => samplesOf(c.raw!.data)).length).toBe(4 * 60);
  });

  it('prefers the 5m block where it has data and fills the gap with raw, sending the requested aggregates', async () => {
    const [s] = await query(FIVE_MIN, [Aggr.COUNT, Aggr.SUM]);
    // The raw block fills the gap before the 5m block, and like Thanos it answers with all
    // its chunks in the requested range; the querier picks per time range.
    expect(s.chunks.map((c) => (c.raw ? 'raw' : 'aggr'))).toEqual(['raw', 'raw', 'aggr']);
    const aggr = s.chunks[2];
    expect(aggr.min).toBeUndefined();
    const want = aggregates(T0 + 2 * HOUR, 24);
    expect(aggr.count?.type).toBe(0);
    expect(samplesOf(aggr.count!.data)).toEqual(want.count);
    expect(samplesOf(aggr.sum!.data)).toEqual(want.sum);
    expect(s.labels).toEqual([...LABELS, { name: 'cluster', value: 'x' }].sort((a, b) => (a.name < b.name ? -1 : 1)));
  });

  it('sends every aggregate when none is named', async () => {
    const [s] = await query(HOUR);
    const aggr = s.chunks[2];
    expect(samplesOf(aggr.counter!.data)).toEqual(aggregates(T0 + 2 * HOUR, 24).counter);
    expect(samplesOf(aggr.max!.data).length).toBe(24);
  });
});

describe('aggregate chunk encoding', () => {
  it('round-trips and marks absent aggregates with a zero length', () => {
    const count = xor([[1, 2]]);
    const payload = encodeAggrChunk([
      { encoding: 1, data: count },
      undefined,
      undefined,
      { encoding: 1, data: xor([[1, 9]]) },
    ]).data;
    const parts = aggrFields(payload);
    expect(parts.count?.data).toEqual(count);
    expect(parts.sum).toBeUndefined();
    expect(samplesOf(parts.max!.data)).toEqual([[1, 9]]);
    expect(payload[count.length + 2]).toBe(0);
  });
});

describe('resolution selection', () => {
  it('covers a range with the coarsest allowed blocks and fills gaps from finer ones', () => {
    const block = (id: string, minTime: number, maxTime: number, resolution: number) =>
      ({ id, minTime, maxTime: maxTime - 1, resolution }) as unknown as BucketBlock;
    const set = new BlockSet([]);
    for (const b of [
      block('raw1', 0, 100, 0),
      block('raw2', 100, 200, 0),
      block('raw3', 200, 300, 0),
      block('5m', 100, 200, FIVE_MIN),
      block('1h', 200, 300, HOUR),
    ]) {
      set.add(b);
    }
    const ids = (w: number, mint = 0, maxt = 299) => set.blocksFor(mint, maxt, w).map((b) => b.id);
    expect(ids(0)).toEqual(['raw1', 'raw2', 'raw3']);
    expect(ids(FIVE_MIN)).toEqual(['raw1', '5m', 'raw3']);
    expect(ids(HOUR)).toEqual(['raw1', '5m', '1h']);
    expect(ids(HOUR, 150, 160)).toEqual(['5m']);
  });
});
