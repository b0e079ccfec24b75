// Block creation from an OpenMetrics file, as `promtool tsdb create-blocks-from openmetrics`
// (Prometheus 2.42 cmd/promtool/backfill.go) does it, down to the bytes of the blocks.
import { SeriesChunkBuilder, floatHiBits, floatLoBits } from '../chunkenc';
import { compareLabels, labelsToString, type Labels } from '../labels';
import type { BlockMeta } from '../meta';
import { OpenMetricsParseError, parseOpenMetrics } from '../openmetrics';
import { writeBlock, type BlockSeries } from './writer';

const HOUR = 3_600_000;
/** Prometheus' `DefaultBlockDuration`. */
const DEFAULT_BLOCK_DURATION = 2 * HOUR;
/** promtool's `maxSamplesInMemory`: the appender is committed after this many samples. */
const DEFAULT_SAMPLES_PER_COMMIT = 5000;
/** Go's `math.NaN()` bit pattern, which `strconv.ParseFloat("NaN")` returns. */
const GO_NAN_HI = 0x7ff80000;
const GO_NAN_LO = 0x00000001;

export class BackfillError extends Error {
  override readonly name = 'BackfillError';
}

export interface BackfillOptions {
  /** `--max-block-duration` in ms; values up to 2h mean 2h. */
  maxBlockDuration?: number;
  /** Samples per appender commit (promtool: 5000); decides which out-of-order samples are dropped silently. */
  samplesPerCommit?: number;
  fsync?: boolean;
  /** Called after each block is written, in time order. */
  onBlock?: (meta: BlockMeta) => void | Promise<void>;
}

/**
 * promtool's `getCompatibleBlockDuration`: 2h, or the largest of 2h·3^k (k < 10) not
 * above the requested maximum.
 */
export function blockDurationForBackfill(maxBlockDuration = 0): number {
  if (maxBlockDuration <= DEFAULT_BLOCK_DURATION) return DEFAULT_BLOCK_DURATION;
  let d = DEFAULT_BLOCK_DURATION;
  for (let i = 1; i < 10 && d * 3 <= maxBlockDuration; i++) d *= 3;
  return d;
}

/** The input as columns: per sample its series, timestamp and value bits, in input order. */
class ParsedInput {
  labels: Labels[] = [];
  series = new Int32Array(1024);
  times = new Float64Array(1024);
  bits = new Uint32Array(2048);
  length = 0;
  mint = Infinity;
  maxt = -Infinity;
  private byText = new Map<string, number>();
  private byLabels = new Map<string, number>();

  constructor(text: string) {
    parseOpenMetrics(text, (s) => {
      let id = this.byText.get(s.seriesText);
      if (id === undefined) {
        const key = s.labels.map((l) => `${l.name}\xff${l.value}`).join('\xff');
        id = this.byLabels.get(key);
        if (id === undefined) {
          id = this.labels.length;
          this.labels.push(s.labels);
          this.byLabels.set(key, id);
        }
        this.byText.set(s.seriesText, id);
      }
      this.push(id, s.timestampMs, s.value);
    });
    this.byText.clear();
    this.byLabels.clear();
  }

  private push(id: number, t: number, v: number): void {
    const n = this.length;
    if (n === this.series.length) {
      this.series = grow(this.series, new Int32Array(n * 2));
      this.times = grow(this.times, new Float64Array(n * 2));
      this.bits = grow(this.bits, new Uint32Array(n * 4));
    }
    this.series[n] = id;
    this.times[n] = t;
    if (Number.isNaN(v)) {
      this.bits[2 * n] = GO_NAN_HI;
      this.bits[2 * n + 1] = GO_NAN_LO;
    } else {
      this.bits[2 * n] = floatHiBits(v);
      this.bits[2 * n + 1] = floatLoBits();
    }
    this.length = n + 1;
    if (t < this.mint) this.mint = t;
    if (t > this.maxt) this.maxt = t;
  }
}

function grow<T extends Int32Array | Float64Array | Uint32Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}

/**
 * The state of one block window: a head appender as promtool's BlockWriter uses it.
 * Samples are checked against the last committed sample of their series when appended
 * and applied at commit, where ones not after the series' last sample are dropped.
 */
class WindowAppender {
  private readonly builders = new Map<number, SeriesChunkBuilder>();
  private readonly lastT = new Map<number, number>();
  private readonly lastHi = new Map<number, number>();
  private readonly lastLo = new Map<number, number>();
  private readonly pending: number[] = [];
  minTime = Infinity;
  maxTime = -Infinity;

  constructor(
    private readonly input: ParsedInput,
    private readonly chunkRange: number,
    private readonly samplesPerCommit: number,
  ) {}

  append(i: number): void {
    const { series, times, bits } = this.input;
    const s = series[i];
    if (!this.builders.has(s)) this.builders.set(s, new SeriesChunkBuilder(this.chunkRange));
    const last = this.lastT.get(s);
    const t = times[i];
    if (last !== undefined && t <= last) {
      if (t < last) throw this.error('out of order sample', s, t);
      if (this.lastHi.get(s) !== bits[2 * i] || this.lastLo.get(s) !== bits[2 * i + 1]) {
        throw this.error('duplicate sample for timestamp', s, t);
      }
    }
    this.pending.push(i);
    if (this.pending.length >= this.samplesPerCommit) this.commit();
  }

  commit(): void {
    const { series, times, bits } = this.input;
    for (const i of this.pending) {
      const s = series[i];
      const t = times[i];
      const last = this.lastT.get(s);
      if (last !== undefined && t <= last) continue;
      this.builders.get(s)!.appendBits(t, bits[2 * i], bits[2 * i + 1]);
      this.lastT.set(s, t);
      this.lastHi.set(s, bits[2 * i]);
      this.lastLo.set(s, bits[2 * i + 1]);
      if (t < this.minTime) this.minTime = t;
      if (t > this.maxTime) this.maxTime = t;
    }
    this.pending.length = 0;
  }

  /** The window's series in label order with their chunks (`rank` = position in label order). */
  series(rank: Int32Array): BlockSeries[] {
    const ids = [...this.builders.keys()].sort((a, b) => rank[a] - rank[b]);
    return ids.map((id) => ({ labels: this.input.labels[id], chunks: this.builders.get(id)!.finish() }));
  }

  private error(reason: string, s: number, t: number): BackfillError {
    return new BackfillError(
      `block creation: process blocks: add sample: ${reason} (series ${labelsToString(this.input.labels[s])}, timestamp ${t})`,
    );
  }
}

/**
 * Writes blocks into `outDir` from OpenMetrics text exactly as promtool 2.42 does: blocks
 * cover aligned windows of the block duration (starting at the first sample's window,
 * Go's truncating division), each is built with a head of twice the block duration as
 * chunk range, `minTime`/`maxTime` are the first sample and the last sample + 1.
 * Returns the metas of the blocks written.
 */
export async function backfillOpenMetrics(
  text: string,
  outDir: string,
  options: BackfillOptions = {},
): Promise<BlockMeta[]> {
  let input: ParsedInput;
  try {
    input = new ParsedInput(text);
  } catch (e) {
    if (e instanceof OpenMetricsParseError) throw new BackfillError(`getting min and max timestamp: ${e.message}`);
    throw e;
  }
  const blockDuration = blockDurationForBackfill(options.maxBlockDuration);
  const samplesPerCommit = options.samplesPerCommit ?? DEFAULT_SAMPLES_PER_COMMIT;
  let mint = input.length === 0 ? 0 : input.mint;
  const maxt = input.length === 0 ? 0 : input.maxt;
  mint = blockDuration * Math.trunc(mint / blockDuration);

  // Samples grouped by window, keeping input order inside each window (a counting sort).
  const windows = Math.floor((maxt - mint) / blockDuration) + 1;
  const counts = new Int32Array(windows + 1);
  const windowOf = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const t = input.times[i];
    const w = t < mint ? -1 : Math.floor((t - mint) / blockDuration);
    windowOf[i] = w;
    if (w >= 0) counts[w + 1]++;
  }
  for (let w = 0; w < windows; w++) counts[w + 1] += counts[w];
  const order = new Int32Array(counts[windows]);
  const fill = counts.slice(0, windows);
  for (let i = 0; i < input.length; i++) if (windowOf[i] >= 0) order[fill[windowOf[i]]++] = i;

  const byLabels = input.labels.map((_, i) => i).sort((a, b) => compareLabels(input.labels[a], input.labels[b]));
  const rank = new Int32Array(input.labels.length);
  byLabels.forEach((id, r) => (rank[id] = r));

  const metas: BlockMeta[] = [];
  for (let w = 0; w < windows; w++) {
    if (counts[w] === counts[w + 1]) continue;
    const app = new WindowAppender(input, 2 * blockDuration, samplesPerCommit);
    for (let k = counts[w]; k < counts[w + 1]; k++) app.append(order[k]);
    app.commit();
    if (app.maxTime === -Infinity) continue;
    const meta = await writeBlock(outDir, app.series(rank), {
      mint: app.minTime,
      maxt: app.maxTime + 1,
      fsync: options.fsync,
    });
    metas.push(meta);
    await options.onBlock?.(meta);
  }
  return metas;
}
