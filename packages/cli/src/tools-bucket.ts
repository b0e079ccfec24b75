// `thanos-ts tools bucket ls|inspect`: the block listings of `thanos tools bucket`, over any
// object store config. Formatting is kept in pure functions so it can be tested without a bucket.
import {
  ObjstoreConfigError,
  ObjstoreOperationError,
  createBucket,
  listBlocks,
  loadObjstoreConfig,
} from '@thanos-ts/objstore';
import type { BlockListing, BlockMeta } from '@thanos-ts/objstore';
import { serveBucketWeb } from '@thanos-ts/compact';
import { Registry } from 'prom-client';
import type { Command } from './command';
import { bucketFromFlags, httpFlag, logFlags, loggerFromFlags } from './service-flags';
import type { FlagSpec, FlagValues } from './flags';
import { UsageError } from './flags';

/** `--objstore.config-file` / `--objstore.config`, as every bucket-using Thanos command has them. */
export const objstoreFlags: FlagSpec[] = [
  {
    name: 'objstore.config-file',
    kind: 'string',
    help: 'Path to YAML file that contains object store configuration.',
    placeholder: '<file-path>',
  },
  {
    name: 'objstore.config',
    kind: 'string',
    help: 'Alternative to objstore.config-file flag (mutually exclusive). Content of YAML file that contains object store configuration.',
    placeholder: '<content>',
  },
];

const HOUR_MS = 3_600_000;
/** Blocks are downsampled to 5m once they span 40h, and to 1h once they span 10 days (Thanos). */
const DOWNSAMPLE_RANGE_MS: Record<number, number> = { 0: 40 * HOUR_MS, 300_000: 240 * HOUR_MS };

/** Go's `time.Duration.String()` for a whole number of milliseconds: `1h12m29.848s`, `5m0s`, `848ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / HOUR_MS);
  rest -= h * HOUR_MS;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const seconds = rest % 1000 === 0 ? String(rest / 1000) : (rest / 1000).toFixed(3).replace(/0+$/, '');
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${seconds}s`;
}

/** `2006-01-02 15:04:05` in UTC, whole seconds as Thanos prints them. */
function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

function formatRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Go's English number printer: thousands separated by commas. */
function formatCount(n: number | undefined): string {
  return (n ?? 0).toLocaleString('en-US');
}

function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function untilDownsampling(meta: BlockMeta): string {
  const range = DOWNSAMPLE_RANGE_MS[meta.thanos.downsample.resolution];
  return range === undefined ? '-' : formatGoDuration(range - (meta.maxTime - meta.minTime));
}

export const INSPECT_COLUMNS = [
  'ULID',
  'FROM',
  'UNTIL',
  'RANGE',
  'UNTIL-DOWN',
  '#SERIES',
  '#SAMPLES',
  '#CHUNKS',
  'COMP-LEVEL',
  'COMP-FAILED',
  'LABELS',
  'RESOLUTION',
  'SOURCE',
] as const;

function inspectRow(meta: BlockMeta): string[] {
  return [
    meta.ulid,
    formatTime(meta.minTime),
    formatTime(meta.maxTime),
    formatGoDuration(meta.maxTime - meta.minTime),
    untilDownsampling(meta),
    formatCount(meta.stats.numSeries),
    formatCount(meta.stats.numSamples),
    formatCount(meta.stats.numChunks),
    String(meta.compaction.level),
    String(meta.compaction.failed ?? false),
    formatLabels(meta.thanos.labels),
    formatGoDuration(meta.thanos.downsample.resolution),
    meta.thanos.source ?? '',
  ];
}

/** Sort keys: a column name, compared on the block's raw values (times and counts numerically). */
function sortValue(meta: BlockMeta, column: string): string | number {
  switch (column) {
    case 'FROM':
      return meta.minTime;
    case 'UNTIL':
      return meta.maxTime;
    case 'RANGE':
      return meta.maxTime - meta.minTime;
    case '#SERIES':
      return meta.stats.numSeries ?? 0;
    case '#SAMPLES':
      return meta.stats.numSamples ?? 0;
    case '#CHUNKS':
      return meta.stats.numChunks ?? 0;
    case 'COMP-LEVEL':
      return meta.compaction.level;
    case 'RESOLUTION':
      return meta.thanos.downsample.resolution;
    default: {
      const i = INSPECT_COLUMNS.indexOf(column as (typeof INSPECT_COLUMNS)[number]);
      if (i < 0) throw new UsageError(`--sort-by: unknown column "${column}" (one of ${INSPECT_COLUMNS.join(', ')})`);
      return inspectRow(meta)[i];
    }
  }
}

function sortMetas(metas: BlockMeta[], sortBy: string[]): BlockMeta[] {
  const keys = sortBy.map((c) => c.toUpperCase());
  return [...metas].sort((a, b) => {
    for (const k of keys) {
      const x = sortValue(a, k);
      const y = sortValue(b, k);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0;
  });
}

/** A table bordered left and right with a `|---|` rule under centred headers, like Thanos' tablewriter output. */
function renderTable(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const center = (text: string, w: number) => {
    const left = Math.floor((w - text.length) / 2);
    return ' '.repeat(left) + text + ' '.repeat(w - text.length - left);
  };
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header.map((h, i) => center(h, widths[i]))),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(r.map((c, i) => c.padEnd(widths[i])))),
  ]
    .map((l) => `${l}\n`)
    .join('');
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface InspectOptions {
  sortBy?: string[];
  output?: 'table' | 'tsv' | 'csv';
}

/** The `tools bucket inspect` report of the given blocks. */
export function formatInspect(metas: BlockMeta[], options: InspectOptions = {}): string {
  const rows = sortMetas(metas, options.sortBy ?? ['FROM', 'UNTIL']).map(inspectRow);
  switch (options.output ?? 'table') {
    case 'table':
      return renderTable(INSPECT_COLUMNS, rows);
    case 'tsv':
      return [INSPECT_COLUMNS, ...rows].map((r) => `${r.join('\t')}\n`).join('');
    case 'csv':
      return [INSPECT_COLUMNS, ...rows].map((r) => `${r.map(csvField).join(',')}\n`).join('');
  }
}

export type LsOutput = 'wide' | 'json' | 'ulid';

/** The `tools bucket ls` listing: one line per block, oldest first. */
export function formatBlockList(metas: BlockMeta[], output: LsOutput = 'wide'): string {
  return sortMetas(metas, ['FROM', 'UNTIL'])
    .map((m) => {
      if (output === 'ulid') return `${m.ulid}\n`;
      if (output === 'json') return `${JSON.stringify(m)}\n`;
      return (
        `${m.ulid} -- ${formatRfc3339(m.minTime)} - ${formatRfc3339(m.maxTime)} ` +
        `Diff: ${formatGoDuration(m.maxTime - m.minTime)}, Compaction: ${m.compaction.level}, ` +
        `Downsample: ${m.thanos.downsample.resolution}, Source: ${m.thanos.source ?? ''}, ` +
        `Labels: {${formatLabels(m.thanos.labels)}}\n`
      );
    })
    .join('');
}

/** Warnings about block directories that could not be listed, for stderr. */
export function formatListingProblems(listing: BlockListing): string {
  return [
    ...listing.partial.map((id) => `warning: block ${id} has no meta.json (partial upload or being deleted)\n`),
    ...listing.corrupted.map((c) => `warning: block ${c.id} skipped: ${c.error}\n`),
  ].join('');
}

/** Parses `name=value` / `name="value"` label selectors (equality only). */
export function parseSelectors(selectors: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of selectors) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)=(?:"(.*)"|(.*))$/.exec(s);
    if (!m) throw new UsageError(`--selector: expected name="value", got ${JSON.stringify(s)}`);
    out[m[1]] = m[2] ?? m[3];
  }
  return out;
}

function matchesSelectors(meta: BlockMeta, selectors: Record<string, string>): boolean {
  return Object.entries(selectors).every(([k, v]) => (meta.thanos.labels[k] ?? '') === v);
}

/** `-o X` / `-o=X` (kingpin's short form of --output), which the long-flag parser leaves as positionals. */
function shortOutputFlag(positionals: string[]): string | undefined {
  if (positionals.length === 0) return undefined;
  const [first, second] = positionals;
  if (first === '-o' && second !== undefined && positionals.length === 2) return second;
  if (first.startsWith('-o=') && positionals.length === 1) return first.slice(3);
  throw new UsageError(`unexpected argument ${JSON.stringify(first)}`);
}

/** Config and storage failures end the command with one line on stderr and exit code 1, not a stack trace. */
async function reportingErrors(run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return 0;
  } catch (err) {
    if (err instanceof ObjstoreConfigError || err instanceof ObjstoreOperationError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function fetchListing(flags: FlagValues): Promise<BlockListing> {
  const config = await loadObjstoreConfig({
    file: flags['objstore.config-file'] as string | undefined,
    content: flags['objstore.config'] as string | undefined,
  });
  const bucket = createBucket(config);
  try {
    return await listBlocks(bucket);
  } finally {
    await bucket.close();
  }
}

function outputChoice<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--output must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

const lsCommand: Command = {
  name: 'ls',
  summary: 'List all blocks in the bucket (ULID, time range, compaction level, resolution, source, labels).',
  flags: [
    ...objstoreFlags,
    { name: 'output', kind: 'string', help: 'Output format: wide, json (one meta per line) or ulid.', default: 'wide' },
  ],
  run: async (flags, positionals) => {
    const output = outputChoice(shortOutputFlag(positionals) ?? (flags.output as string), [
      'wide',
      'json',
      'ulid',
    ] as const);
    return reportingErrors(async () => {
      const listing = await fetchListing(flags);
      process.stderr.write(formatListingProblems(listing));
      process.stdout.write(
        formatBlockList(
          listing.blocks.map((b) => b.meta),
          output,
        ),
      );
    });
  },
};

const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Inspect all blocks in the bucket in a detailed, table-like way.',
  flags: [
    ...objstoreFlags,
    {
      name: 'selector',
      kind: 'strings',
      help: 'Selects blocks based on label, e.g. \'-l key1="value1"\'; only exact matches.',
      placeholder: '<name>="<value>"',
    },
    {
      name: 'sort-by',
      kind: 'strings',
      help: 'Sort by columns; applied in order (default FROM, UNTIL).',
      placeholder: 'COLUMN',
    },
    { name: 'output', kind: 'string', help: 'Output format: table, tsv or csv.', default: 'table' },
  ],
  run: async (flags, positionals) => {
    const output = outputChoice(shortOutputFlag(positionals) ?? (flags.output as string), [
      'table',
      'tsv',
      'csv',
    ] as const);
    const selectors = parseSelectors(flags.selector as string[]);
    const sortBy = flags['sort-by'] as string[];
    return reportingErrors(async () => {
      const listing = await fetchListing(flags);
      process.stderr.write(formatListingProblems(listing));
      const metas = listing.blocks.map((b) => b.meta).filter((m) => matchesSelectors(m, selectors));
      process.stdout.write(formatInspect(metas, { sortBy: sortBy.length ? sortBy : undefined, output }));
    });
  },
};

const webCommand: Command = {
  name: 'web',
  summary: 'Web interface for the remote storage bucket: a timeline of blocks per group and resolution.',
  flags: [
    ...objstoreFlags,
    ...logFlags,
    { ...httpFlag, help: 'Listen host:port for the bucket UI.' },
    {
      name: 'deduplication.replica-label',
      kind: 'strings',
      help: 'Replica labels removed when grouping blocks (as the compactor does).',
    },
  ],
  run: async (flags) => {
    const logger = loggerFromFlags(flags, 'bucket-web');
    const registry = new Registry();
    const bucket = bucketFromFlags(flags, logger, registry);
    if (!bucket) throw new UsageError('set --objstore.config or --objstore.config-file');
    return serveBucketWeb({
      bucket,
      logger,
      registry,
      httpAddress: flags['http-address'] as string,
      replicaLabels: flags['deduplication.replica-label'] as string[],
    });
  },
};

export const bucketToolCommand: Command = {
  name: 'bucket',
  summary: 'Bucket utility commands: list and inspect the blocks of an object store, or browse them in a web UI.',
  flags: [],
  subcommands: [lsCommand, inspectCommand, webCommand],
};
