import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBucket, parseBlockMeta, uploadBlock } from '@thanos-ts/objstore';
import type { BlockMeta } from '@thanos-ts/objstore';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli';
import type { Command } from './command';
import { bucketToolCommand, formatBlockList, formatGoDuration, formatInspect, parseSelectors } from './tools-bucket';

const BLOCKS = join(fixturesDir, 'openmetrics-blocks', 'blocks');
const IDS = ['01M87WZDRW12N1VYN3CC8X70A0', '01M87WZDTJRFQV7EVDRVH2M3VB', '01M87WZDVT2D0P30S3408M5GAX'];

function fixtureMeta(id: string): BlockMeta {
  const meta = parseBlockMeta(readFileSync(join(BLOCKS, id, 'meta.json'), 'utf8'), id);
  meta.thanos.labels = { tenant_id: 'default-tenant', receive_replica: '0' };
  meta.thanos.source = 'receive';
  return meta;
}

describe('formatGoDuration', () => {
  it('prints like Go time.Duration', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(848)).toBe('848ms');
    expect(formatGoDuration(300_000)).toBe('5m0s');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
    expect(formatGoDuration(4_349_848)).toBe('1h12m29.848s');
    expect(formatGoDuration(90_500)).toBe('1m30.5s');
    expect(formatGoDuration(-7_200_000)).toBe('-2h0m0s');
  });
});

describe('formatInspect', () => {
  const metas = IDS.map(fixtureMeta).reverse();

  it('renders the thanos tools bucket inspect table sorted by time', () => {
    const lines = formatInspect(metas).split('\n');
    expect(lines[0]).toMatch(
      /^\| +ULID +\| +FROM +\| +UNTIL +\| +RANGE +\| +UNTIL-DOWN +\| #SERIES \| #SAMPLES \| #CHUNKS \| COMP-LEVEL \| COMP-FAILED \| +LABELS +\| RESOLUTION \| +SOURCE +\|$/,
    );
    expect(lines[1]).toMatch(/^\|-+(\|-+){12}\|$/);
    const first = lines[2].split('|').map((c) => c.trim());
    expect(first.slice(1, -1)).toEqual([
      '01M87WZDRW12N1VYN3CC8X70A0',
      '2023-01-01 00:47:30',
      '2023-01-01 01:59:59',
      '1h12m29.848s',
      '38h47m30.152s',
      '36',
      '5,210',
      '72',
      '1',
      'false',
      'receive_replica=0,tenant_id=default-tenant',
      '0s',
      'receive',
    ]);
    expect(lines.slice(2, 5).map((l) => l.slice(2, 28))).toEqual(IDS);
    expect(lines).toHaveLength(6);
    expect(new Set(lines.slice(0, 5).map((l) => l.length)).size).toBe(1);
  });

  it('sorts by other columns and writes tsv and csv', () => {
    const bySeries = formatInspect(metas, { sortBy: ['#SERIES', 'FROM'], output: 'tsv' }).split('\n');
    expect(bySeries[0].split('\t')).toHaveLength(13);
    expect(bySeries.slice(1, 4).map((l) => l.split('\t')[0])).toEqual([IDS[0], IDS[2], IDS[1]]);
    const csv = formatInspect(metas.slice(0, 1), { output: 'csv' }).split('\n');
    expect(csv[1]).toContain(',36,"3,419",36,');
    expect(csv[1]).toContain(',"receive_replica=0,tenant_id=default-tenant",');
    expect(() => formatInspect(metas, { sortBy: ['NOPE'] })).toThrow(/unknown column "NOPE"/);
  });
});

describe('formatBlockList', () => {
  it('prints one line per block with range, level, resolution and labels', () => {
    const out = formatBlockList([fixtureMeta(IDS[1])]);
    expect(out).toBe(
      '01M87WZDTJRFQV7EVDRVH2M3VB -- 2023-01-01T02:00:00Z - 2023-01-01T03:59:58Z Diff: 1h59m58.947s, ' +
        'Compaction: 1, Downsample: 0, Source: receive, Labels: {receive_replica=0,tenant_id=default-tenant}\n',
    );
    expect(formatBlockList(IDS.map(fixtureMeta).reverse(), 'ulid')).toBe(IDS.map((id) => `${id}\n`).join(''));
    expect(JSON.parse(formatBlockList([fixtureMeta(IDS[0])], 'json')).stats.numSamples).toBe(5210);
  });
});

describe('parseSelectors', () => {
  it('reads name="value" and name=value', () => {
    expect(parseSelectors(['a="x y"', 'b=z'])).toEqual({ a: 'x y', b: 'z' });
    expect(() => parseSelectors(['nope'])).toThrow(/expected name="value"/);
  });
});

describe('tools bucket commands', () => {
  const dir = tempDir('cli-bucket-');
  afterAll(() => dir.cleanup());
  const root: Command = { name: 'thanos-ts', summary: '', flags: [], subcommands: [bucketToolCommand] };

  async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((t) => out.push(String(t)) > 0);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((t) => err.push(String(t)) > 0);
    try {
      const code = await runCli(root, argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join(''), err: err.join('') };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('lists and inspects a filesystem bucket', async () => {
    const config = `type: FILESYSTEM\nconfig:\n  directory: ${dir.path}\n`;
    const bucket = createBucket(config);
    for (const id of IDS) await uploadBlock(bucket, join(BLOCKS, id), fixtureMeta(id));
    await bucket.upload('01JBXQ5W8Y3N7B2ZC0M4P9S6TK/index', Buffer.from('partial'));

    const ls = await run(['bucket', 'ls', `--objstore.config=${config}`, '-o', 'ulid']);
    expect(ls).toMatchObject({ code: 0, out: IDS.map((id) => `${id}\n`).join('') });
    expect(ls.err).toContain('block 01JBXQ5W8Y3N7B2ZC0M4P9S6TK has no meta.json');

    const inspect = await run([
      'bucket',
      'inspect',
      '--objstore.config',
      config,
      '--selector=tenant_id="default-tenant"',
    ]);
    expect(inspect.code).toBe(0);
    expect(inspect.out.split('\n')).toHaveLength(6);
    const none = await run(['bucket', 'inspect', '--objstore.config', config, '--selector=tenant_id="other"']);
    expect(none.out.split('\n')).toHaveLength(3);
  });

  it('reports config problems in one line', async () => {
    const res = await run(['bucket', 'ls', '--objstore.config=type: S3\nconfig: {bucket: b}']);
    expect(res.code).toBe(1);
    expect(res.err).toBe('error: invalid object storage config: S3 config.endpoint is required\n');
    const missing = await run(['bucket', 'inspect']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no object storage config/);
  });
});
