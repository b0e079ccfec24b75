// `thanos-ts tools tsdb`: promtool's `tsdb dump`, `tsdb list` and
// `tsdb create-blocks-from openmetrics`, with output identical to promtool 2.42's.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Block,
  ReadOnlyDb,
  SeriesIterator,
  backfillOpenMetrics,
  formatGoFloat,
  labelsToString,
  newMatcher,
  type BlockMeta,
  type Matcher,
} from '@thanos-ts/tsdb';
import { parseExpr } from '@thanos-ts/promql';
import type { Command } from './command';
import { UsageError, type FlagValues } from './flags';

/** Where a command's output goes; a returned promise means "wait before writing more". */
export type TextSink = (text: string) => void | Promise<void>;

const MIN_INT64 = '-9223372036854775808';
const MAX_INT64 = '9223372036854775807';
/** Output is handed to the sink in pieces of about this many characters. */
const OUTPUT_CHUNK = 1 << 16;

/** Parses an int64 flag value, clamping values beyond ±2^53 to the safe-integer sentinels. */
export function parseInt64Ms(text: string, flag: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`--${flag} expects an integer, got "${text}"`);
  const v = BigInt(text);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

/** promtool's default `--match`: every series. */
export const DUMP_ALL_SERIES = "{__name__=~'(?s:.*)'}";

/** A label matcher added to selectors whose matchers all match "" (see below), then removed. */
const PLACEHOLDER_LABEL = 'thanos_ts_placeholder';

/**
 * Parses a series selector such as `up{job="x"}` into matchers. Like Go's
 * `ParseMetricSelector` (and unlike a PromQL query) it accepts selectors whose matchers
 * all match the empty string, such as promtool's default.
 */
export function parseSeriesSelector(text: string): Matcher[] {
  let expr;
  try {
    expr = parseExpr(text);
  } catch (e) {
    const trimmed = text.trimEnd();
    if (!trimmed.endsWith('}')) throw new UsageError(`--match: ${(e as Error).message}`);
    const body = trimmed.slice(0, -1).trimEnd();
    const sep = body.endsWith('{') || body.endsWith(',') ? '' : ',';
    try {
      expr = parseExpr(`${body}${sep}${PLACEHOLDER_LABEL}="x"}`);
    } catch {
      throw new UsageError(`--match: ${(e as Error).message}`);
    }
  }
  if (expr.kind !== 'VectorSelector') throw new UsageError(`--match: ${JSON.stringify(text)} is not a series selector`);
  return expr.matchers.filter((m) => m.name !== PLACEHOLDER_LABEL).map((m) => newMatcher(m.type, m.name, m.value));
}

/**
 * Prints every float sample of a data directory (blocks and WAL) in `[minTime, maxTime]`
 * as `promtool tsdb dump` does: `{labels} value timestamp`, series in label order, each
 * series once with its samples from all blocks and the head in time order.
 */
export async function dumpSamples(
  dataDir: string,
  range: { minTime?: number; maxTime?: number; matchers?: readonly Matcher[] },
  write: TextSink,
): Promise<void> {
  const matchers = range.matchers ?? [newMatcher('=~', '__name__', '(?s:.*)')];
  const mint = range.minTime ?? Number.MIN_SAFE_INTEGER;
  const maxt = range.maxTime ?? Number.MAX_SAFE_INTEGER;
  const db = await ReadOnlyDb.open(dataDir);
  try {
    const querier = await db.querier(mint, maxt);
    const it = new SeriesIterator();
    let buf = '';
    for await (const series of querier.select(matchers, mint, maxt)) {
      const prefix = labelsToString(series.labels) + ' ';
      series.iterator(it);
      while (it.next()) {
        buf += prefix + formatGoFloat(it.v) + ' ' + it.t + '\n';
        if (buf.length >= OUTPUT_CHUNK) {
          await write(buf);
          buf = '';
        }
      }
    }
    if (buf.length > 0) await write(buf);
  } finally {
    await db.close();
  }
}

/** Go's `time.Duration.String()` for a duration of `ms` milliseconds (int64 nanoseconds, wrapping as Go does). */
export function formatGoDuration(ms: number): string {
  const ns = BigInt.asIntN(64, BigInt(ms) * 1_000_000n);
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = BigInt.asUintN(64, neg ? -ns : ns);
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    out = fracDigits(u, prec).text + unit;
  } else {
    const { text, rest } = fracDigits(u, 9);
    out = `${rest % 60n}${text.slice(String(rest).length)}s`;
    u = rest / 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? '-' + out : out;
}

/** `v / 10^prec` printed with the fraction's trailing zeros (and a bare point) removed. */
function fracDigits(v: bigint, prec: number): { text: string; rest: bigint } {
  const scale = 10n ** BigInt(prec);
  const rest = v / scale;
  const frac = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return { text: frac === '' ? `${rest}` : `${rest}.${frac}`, rest };
}

const BYTE_UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** `units.Base2Bytes(n).String()` as promtool prints sizes with `-r`: `18KiB59B`, `1MiB`, `0B`. */
export function formatBase2Bytes(n: number): string {
  const parts: string[] = [];
  let v = Math.trunc(n);
  for (let i = 0; i < BYTE_UNITS.length; i++) {
    const r = v % 1024;
    if (r !== 0 || (i === 0 && v === 0)) parts.unshift(`${r}${BYTE_UNITS[i]}${i === 0 ? 'B' : 'iB'}`);
    v = Math.trunc(v / 1024);
    if (v === 0) break;
  }
  return parts.join('');
}

/** Go's `time.Unix(ms/1000, 0).UTC().String()`: `2023-01-01 00:47:30 +0000 UTC`. */
export function formatGoUnixTime(ms: number): string {
  const d = new Date(Math.trunc(ms / 1000) * 1000);
  const p = (x: number, n = 2) => String(x).padStart(n, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`
  );
}

/**
 * Go's `tabwriter.NewWriter(out, 13, 0, 2, ' ', 0)` over rows of cells: every cell but
 * the last of a row is padded to its column's width (widest cell + 2, at least 13).
 */
export function formatTable(rows: readonly string[][], minWidth = 13, padding = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      widths[c] = Math.max(widths[c] ?? minWidth, [...row[c]].length + padding);
    }
  }
  return rows
    .map((row) =>
      row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat(widths[c] - [...cell].length) : cell)).join(''),
    )
    .map((line) => line + '\n')
    .join('');
}

const LIST_HEADER = [
  'BLOCK ULID',
  'MIN TIME',
  'MAX TIME',
  'DURATION',
  'NUM SAMPLES',
  'NUM CHUNKS',
  'NUM SERIES',
  'SIZE',
];

function blockRow(meta: BlockMeta, size: number, humanReadable: boolean): string[] {
  const time = (t: number) => (humanReadable ? formatGoUnixTime(t) : String(t));
  return [
    meta.ulid,
    time(meta.minTime),
    time(meta.maxTime),
    formatGoDuration(meta.maxTime - meta.minTime),
    String(meta.stats.numSamples ?? 0),
    String(meta.stats.numChunks ?? 0),
    String(meta.stats.numSeries ?? 0),
    humanReadable ? formatBase2Bytes(size) : String(size),
  ];
}

/** `promtool tsdb list`: one row per block, oldest first. */
export async function listBlocks(dataDir: string, humanReadable: boolean, write: TextSink): Promise<void> {
  const db = await ReadOnlyDb.open(dataDir);
  try {
    const rows = [LIST_HEADER, ...db.blocks.map((b) => blockRow(b.meta, b.size, humanReadable))];
    await write(formatTable(rows));
  } finally {
    await db.close();
  }
}

export interface CreateBlocksOptions {
  humanReadable?: boolean;
  quiet?: boolean;
  /** Milliseconds; at most 2h means 2h. */
  maxBlockDuration?: number;
}

/**
 * `promtool tsdb create-blocks-from openmetrics`: writes blocks into `outDir` and prints
 * each block as it is written (one table per block, the header only once, as promtool).
 */
export async function createBlocksFromOpenMetrics(
  inputFile: string,
  outDir: string,
  options: CreateBlocksOptions,
  write: TextSink,
): Promise<BlockMeta[]> {
  const text = readFileSync(inputFile, 'utf8');
  mkdirSync(outDir, { recursive: true });
  let wroteHeader = false;
  return backfillOpenMetrics(text, outDir, {
    maxBlockDuration: options.maxBlockDuration,
    onBlock: async (meta) => {
      if (options.quiet) return;
      const block = await Block.open(join(outDir, meta.ulid));
      const size = block.size;
      await block.close();
      const rows = [blockRow(meta, size, options.humanReadable ?? false)];
      if (!wroteHeader) rows.unshift(LIST_HEADER);
      wroteHeader = true;
      await write(formatTable(rows));
    },
  });
}

/** Writes to stdout, waiting for it to drain when its buffer is full. */
function stdoutSink(text: string): void | Promise<void> {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

/** Splits promtool's short flags (`-r`, `-q`) from positionals; our flag parser knows only long ones. */
function shortFlags(positionals: string[], allowed: string): { set: Set<string>; rest: string[] } {
  const set = new Set<string>();
  const rest: string[] = [];
  for (const p of positionals) {
    if (/^-[a-z]+$/.test(p) && [...p.slice(1)].every((c) => allowed.includes(c))) {
      for (const c of p.slice(1)) set.add(c);
    } else rest.push(p);
  }
  return { set, rest };
}

async function reportErrors(run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}

const humanReadableFlag = {
  name: 'human-readable',
  kind: 'bool',
  help: 'Print human readable values (also -r).',
} as const;

export const tsdbToolCommand: Command = {
  name: 'tsdb',
  summary: 'TSDB tools (as promtool tsdb).',
  flags: [],
  subcommands: [
    {
      name: 'dump',
      summary: 'Dump samples from a TSDB data directory.',
      args: '[<data-dir>]',
      flags: [
        { name: 'min-time', kind: 'string', help: 'Minimum timestamp to dump.', default: MIN_INT64 },
        { name: 'max-time', kind: 'string', help: 'Maximum timestamp to dump.', default: MAX_INT64 },
        { name: 'match', kind: 'string', help: 'Series selector.', default: DUMP_ALL_SERIES },
      ],
      run: (flags: FlagValues, positionals: string[]) => {
        const range = {
          minTime: parseInt64Ms(String(flags['min-time']), 'min-time'),
          maxTime: parseInt64Ms(String(flags['max-time']), 'max-time'),
          matchers: parseSeriesSelector(String(flags.match)),
        };
        return reportErrors(() => dumpSamples(positionals[0] ?? 'data/', range, stdoutSink));
      },
    },
    {
      name: 'list',
      summary: 'List TSDB blocks.',
      args: '[<data-dir>]',
      flags: [humanReadableFlag],
      run: (flags, positionals) => {
        const { set, rest } = shortFlags(positionals, 'r');
        return reportErrors(() =>
          listBlocks(rest[0] ?? 'data/', Boolean(flags['human-readable']) || set.has('r'), stdoutSink),
        );
      },
    },
    {
      name: 'create-blocks-from',
      summary: 'Import samples from input and produce TSDB blocks.',
      flags: [],
      subcommands: [
        {
          name: 'openmetrics',
          summary: 'Import samples from an OpenMetrics input and produce TSDB blocks.',
          args: '<input file> [<output dir>]',
          flags: [
            humanReadableFlag,
            { name: 'quiet', kind: 'bool', help: 'Do not print created blocks (also -q).' },
            {
              name: 'max-block-duration',
              kind: 'duration',
              help: 'Maximum duration created blocks may span. Anything less than 2h is ignored.',
              placeholder: '<duration>',
            },
          ],
          run: (flags, positionals) => {
            const { set, rest } = shortFlags(positionals, 'rq');
            if (rest.length === 0) throw new UsageError('required argument <input file> not provided');
            return reportErrors(async () => {
              await createBlocksFromOpenMetrics(
                rest[0],
                rest[1] ?? 'data/',
                {
                  humanReadable: Boolean(flags['human-readable']) || set.has('r'),
                  quiet: Boolean(flags.quiet) || set.has('q'),
                  maxBlockDuration: flags['max-block-duration'] as number | undefined,
                },
                stdoutSink,
              );
            });
          },
        },
      ],
    },
  ],
};
