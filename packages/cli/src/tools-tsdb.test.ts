import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import { readBlockMeta } from '@thanos-ts/tsdb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli';
import { rootCommand } from './commands';
import {
  createBlocksFromOpenMetrics,
  DUMP_ALL_SERIES,
  dumpSamples,
  parseSeriesSelector,
  formatBase2Bytes,
  formatGoDuration,
  formatGoUnixTime,
  listBlocks,
} from './tools-tsdb';

const fx = join(fixturesDir, 'openmetrics-blocks');
const dirs: Array<{ cleanup: () => void }> = [];
afterAll(() => dirs.splice(0).forEach((d) => d.cleanup()));
function temp(): string {
  const d = tempDir('tools-tsdb-');
  dirs.push(d);
  return d.path;
}

async function capture(run: (write: (s: string) => void) => Promise<unknown>): Promise<string> {
  const parts: string[] = [];
  await run((s) => void parts.push(s));
  return parts.join('');
}

/** A copy of the fixture blocks with the empty `wal/` promtool 2.42's dump needs. */
let fixtureCopy: string;
beforeAll(() => {
  fixtureCopy = temp();
  cpSync(join(fx, 'blocks'), fixtureCopy, { recursive: true });
  mkdirSync(join(fixtureCopy, 'wal'));
});

describe('tools tsdb dump', () => {
  it('prints the fixture blocks exactly as promtool dumped them', async () => {
    const out = await capture((w) => dumpSamples(fixtureCopy, {}, w));
    expect(out).toBe(readFileSync(join(fx, 'expected-dump.txt'), 'utf8'));
  });

  it('restricts the output to --min-time/--max-time like promtool', async () => {
    for (const [mint, maxt] of [
      [1672538399848, 1672538400000],
      [1672536000000, 1672546000000],
      [0, 1672534050000],
      [1672548420001, 1672548420001],
    ]) {
      const ours = await capture((w) => dumpSamples(fixtureCopy, { minTime: mint, maxTime: maxt }, w));
      const theirs = promtool(['tsdb', 'dump', `--min-time=${mint}`, `--max-time=${maxt}`, fixtureCopy]);
      expect(theirs.status).toBe(0);
      expect(ours).toBe(theirs.stdout);
    }
  });

  it('selects series with --match like promtool', async () => {
    for (const sel of [DUMP_ALL_SERIES, 'edge_values', '{__name__=~"http_.*", code!="200"}']) {
      const matchers = parseSeriesSelector(sel);
      const ours = await capture((w) => dumpSamples(fixtureCopy, { matchers }, w));
      expect(ours).toBe(promtool(['tsdb', 'dump', `--match=${sel}`, fixtureCopy]).stdout);
      expect(ours).not.toBe('');
    }
    expect(() => parseSeriesSelector('rate(x[5m])')).toThrow(/not a series selector/);
  });

  it('dumps blocks and a WAL together like promtool', async () => {
    const data = temp();
    cpSync(join(fx, 'blocks'), data, { recursive: true });
    cpSync(join(fixturesDir, 'wal/main/wal'), join(data, 'wal'), { recursive: true });
    const ours = await capture((w) => dumpSamples(data, {}, w));
    expect(ours).toContain('rw_requests_total');
    expect(ours).toContain('edge_values');
    expect(ours).toBe(promtool(['tsdb', 'dump', data]).stdout);
  });
});

describe('tools tsdb list', () => {
  it('prints the block table like promtool, plain and with -r', async () => {
    expect(await capture((w) => listBlocks(fixtureCopy, false, w))).toBe(
      readFileSync(join(fx, 'expected-list.txt'), 'utf8'),
    );
    expect(await capture((w) => listBlocks(fixtureCopy, true, w))).toBe(
      readFileSync(join(fx, 'expected-list-human.txt'), 'utf8'),
    );
  });

  it('formats durations, sizes and times as Go does', () => {
    expect(formatGoDuration(4349848)).toBe('1h12m29.848s');
    expect(formatGoDuration(2820001)).toBe('47m0.001s');
    expect(formatGoDuration(7200000)).toBe('2h0m0s');
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(999)).toBe('999ms');
    expect(formatGoDuration(-1500)).toBe('-1.5s');
    expect(formatGoDuration(60_000)).toBe('1m0s');
    // (maxt - mint) * 1e6 overflows int64 nanoseconds in Go and wraps.
    expect(formatGoDuration(8e15)).toBe('-1635257h46m29.945401344s');
    expect(formatBase2Bytes(18491)).toBe('18KiB59B');
    expect(formatBase2Bytes(1024)).toBe('1KiB');
    expect(formatBase2Bytes(0)).toBe('0B');
    expect(formatBase2Bytes(1024 * 1024 + 1)).toBe('1MiB1B');
    expect(formatGoUnixTime(1672538399848)).toBe('2023-01-01 01:59:59 +0000 UTC');
  });
});

describe('tools tsdb create-blocks-from openmetrics', () => {
  let out: string;
  let stdout: string;
  beforeAll(async () => {
    out = temp();
    stdout = await capture((w) => createBlocksFromOpenMetrics(join(fx, 'input.om'), out, {}, w));
  });

  it('prints the created blocks as promtool does (ULIDs aside)', () => {
    const expected = readFileSync(join(fx, 'create-blocks.stdout.txt'), 'utf8');
    const ulids = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
    expect(stdout.replace(ulids, 'ULID')).toBe(expected.replace(ulids, 'ULID'));
  });

  it('writes blocks whose index and chunks are byte-identical to promtool’s', () => {
    const ours = readdirSync(out).map((u) => readBlockMeta(join(out, u)));
    const theirs = readdirSync(join(fx, 'blocks')).map((u) => readBlockMeta(join(fx, 'blocks', u)));
    expect(ours).toHaveLength(3);
    for (const meta of ours) {
      const twin = theirs.find((t) => t.minTime === meta.minTime && t.maxTime === meta.maxTime)!;
      expect(twin).toBeDefined();
      const file = (root: string, ulid: string, f: string) => readFileSync(join(root, ulid, f));
      expect(file(out, meta.ulid, 'index').equals(file(join(fx, 'blocks'), twin.ulid, 'index'))).toBe(true);
      expect(file(out, meta.ulid, 'chunks/000001').equals(file(join(fx, 'blocks'), twin.ulid, 'chunks/000001'))).toBe(
        true,
      );
      expect(file(out, meta.ulid, 'tombstones')).toEqual(file(join(fx, 'blocks'), twin.ulid, 'tombstones'));
      expect(file(out, meta.ulid, 'meta.json').toString().replaceAll(meta.ulid, 'X')).toBe(
        file(join(fx, 'blocks'), twin.ulid, 'meta.json').toString().replaceAll(twin.ulid, 'X'),
      );
    }
  });

  it('writes blocks promtool dumps to the expected samples and analyzes without error', () => {
    const data = temp();
    cpSync(out, data, { recursive: true });
    mkdirSync(join(data, 'wal'));
    expect(promtool(['tsdb', 'dump', data]).stdout).toBe(readFileSync(join(fx, 'expected-dump.txt'), 'utf8'));
    for (const ulid of readdirSync(out)) {
      const r = promtool(['tsdb', 'analyze', data, ulid]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Block ID: ${ulid}`);
    }
  });
});

describe('thanos-ts tools tsdb (command line)', () => {
  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
    const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    });
    try {
      const code = await runCli(rootCommand, argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
      return { code, stdout, stderr };
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
    }
  }

  it('accepts promtool’s arguments, short flags included', async () => {
    const list = await run(['tools', 'tsdb', 'list', '-r', fixtureCopy]);
    expect(list).toEqual({ code: 0, stdout: readFileSync(join(fx, 'expected-list-human.txt'), 'utf8'), stderr: '' });
    const dump = await run(['tools', 'tsdb', 'dump', '--min-time=1672548420000', '--match=edge_values', fixtureCopy]);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toBe(
      promtool(['tsdb', 'dump', '--min-time=1672548420000', '--match=edge_values', fixtureCopy]).stdout,
    );
    const out = temp();
    const create = await run(['tools', 'tsdb', 'create-blocks-from', 'openmetrics', '-q', join(fx, 'input.om'), out]);
    expect(create).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(out)).toHaveLength(3);
  });

  it('reports errors on stderr with exit code 1', async () => {
    const r = await run(['tools', 'tsdb', 'create-blocks-from', 'openmetrics', join(temp(), 'missing.om'), temp()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such file or directory/);

    const data = temp();
    const block = join(data, '01M87WZDRW12N1VYN3CC8X70A0');
    cpSync(join(fx, 'blocks/01M87WZDRW12N1VYN3CC8X70A0'), block, { recursive: true });
    const index = readFileSync(join(block, 'index'));
    index[index.length - 3] ^= 1; // inside the TOC checksum
    writeFileSync(join(block, 'index'), index);
    const dump = await run(['tools', 'tsdb', 'dump', data]);
    expect(dump.code).toBe(1);
    expect(dump.stdout).toBe('');
    expect(dump.stderr).toContain(`corrupted block ${block}: ${join(block, 'index')}`);
    expect(dump.stderr).toContain('TOC checksum mismatch');
  });
});
