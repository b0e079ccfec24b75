// Loads the remote-write fixtures (../shared/fixtures/remote-write) for the tests of this package.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@thanos-ts/testkit';
import { MetricType, type TimeSeriesInput, type WriteRequestInput } from './write-request-encoder';

interface FixtureSample {
  timestamp: number;
  bits: string;
}

interface FixtureJson {
  body_encoding: string;
  write_request: {
    timeseries: {
      labels: { name: string; value: string }[];
      samples: FixtureSample[];
      exemplars: ({ labels: { name: string; value: string }[] } & FixtureSample)[];
    }[];
    metadata: { type: keyof typeof MetricType; family: string; help: string; unit?: string }[];
  };
}

export interface RemoteWriteFixture {
  /** e.g. `main/01-basic` */
  name: string;
  /** The HTTP body as sent (snappy block, except the deliberately bad ones). */
  bin: Uint8Array;
  /** The protobuf the fixture generator encoded from `json`. */
  pb: Uint8Array;
  json: FixtureJson;
  /** The content of `json` as encoder input, values bit-exact. */
  request: WriteRequestInput;
  /** Raw 64-bit patterns of each series' sample values, for bit-exact comparisons. */
  valueBits: bigint[][];
}

export const REMOTE_WRITE_FIXTURE_SETS = ['main', 'big', 'wide-timestamps'];

export function loadRemoteWriteFixtures(): RemoteWriteFixture[] {
  const out: RemoteWriteFixture[] = [];
  for (const set of REMOTE_WRITE_FIXTURE_SETS) {
    const dir = join(fixturesDir, 'remote-write', set);
    for (const file of readdirSync(dir).filter((f) => /^\d\d-.*\.bin$/.test(f))) {
      const base = file.slice(0, -4);
      const json = JSON.parse(readFileSync(join(dir, `${base}.json`), 'utf8')) as FixtureJson;
      const valueBits = json.write_request.timeseries.map((s) => s.samples.map((x) => BigInt(x.bits)));
      out.push({
        name: `${set}/${base}`,
        bin: new Uint8Array(readFileSync(join(dir, file))),
        pb: new Uint8Array(readFileSync(join(dir, `${base}.pb`))),
        json,
        request: toRequest(json, valueBits),
        valueBits,
      });
    }
  }
  return out;
}

/** A Float64Array holding exactly the given bit patterns. */
export function float64FromBits(bits: readonly bigint[]): Float64Array {
  const words = new BigUint64Array(bits);
  return new Float64Array(words.buffer);
}

/** The bit patterns of a Float64Array. */
export function bitsOf(values: Float64Array): bigint[] {
  return [...new BigUint64Array(values.buffer, values.byteOffset, values.length)];
}

function toRequest(json: FixtureJson, valueBits: bigint[][]): WriteRequestInput {
  const timeseries: TimeSeriesInput[] = json.write_request.timeseries.map((s, i) => ({
    labels: s.labels,
    timestamps: s.samples.map((x) => x.timestamp),
    values: float64FromBits(valueBits[i]),
    exemplars: s.exemplars.map((e) => ({
      labels: e.labels,
      timestamp: e.timestamp,
      value: new Float64Array(new BigUint64Array([BigInt(e.bits)]).buffer)[0],
    })),
  }));
  const metadata = json.write_request.metadata.map((m) => ({
    type: MetricType[m.type],
    metricFamilyName: m.family,
    help: m.help,
    unit: m.unit,
  }));
  return { timeseries, metadata };
}
