import { describe, expect, it } from 'vitest';
import { runCli } from './cli';
import type { Command } from './command';
import { oneOfFlag, UsageError } from './flags';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const seen: unknown[] = [];
const root: Command = {
  name: 'thanos-ts',
  summary: 'test root',
  flags: [],
  subcommands: [
    {
      name: 'receive',
      summary: 'receive',
      flags: [
        { name: 'label', kind: 'strings', help: 'external label' },
        { name: 'tsdb.retention', kind: 'duration', help: 'retention', default: '15d' },
        { name: 'tsdb.wal-fsync', kind: 'bool', help: 'fsync' },
        { name: 'receive.replication-factor', kind: 'int', help: 'rf', default: 1 },
      ],
      run: async (flags, positionals) => {
        seen.push({ flags, positionals });
        return 0;
      },
    },
  ],
};

describe('runCli', () => {
  it('parses repeatable, duration, bool and int flags in both spellings', async () => {
    seen.length = 0;
    const c = capture();
    const code = await runCli(
      root,
      [
        'receive',
        '--label=a="1"',
        '--label',
        'b="2"',
        '--tsdb.retention=1h30m',
        '--tsdb.wal-fsync',
        '--receive.replication-factor',
        '3',
        'pos',
      ],
      c.io,
    );
    expect(code).toBe(0);
    expect(seen[0]).toEqual({
      flags: {
        label: ['a="1"', 'b="2"'],
        'tsdb.retention': 5_400_000,
        'tsdb.wal-fsync': true,
        'receive.replication-factor': 3,
      },
      positionals: ['pos'],
    });
  });

  it('applies defaults and --no- booleans', async () => {
    seen.length = 0;
    const code = await runCli(root, ['receive', '--no-tsdb.wal-fsync'], capture().io);
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({ flags: { 'tsdb.retention': 1_296_000_000, 'tsdb.wal-fsync': false, label: [] } });
  });

  it('exits 2 with usage on an unknown command', async () => {
    const c = capture();
    expect(await runCli(root, ['recieve'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown command "recieve"');
    expect(c.err.join('')).toContain('usage: thanos-ts <command>');
  });

  it('exits 2 naming the flag on an unknown flag or a bad value', async () => {
    const c = capture();
    expect(await runCli(root, ['receive', '--nope=1'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown flag --nope');
    const d = capture();
    expect(await runCli(root, ['receive', '--receive.replication-factor=x'], d.io)).toBe(2);
    expect(d.err.join('')).toContain('--receive.replication-factor expects an integer');
    const e = capture();
    expect(await runCli(root, ['receive', '--tsdb.retention=5 parsecs'], e.io)).toBe(2);
    expect(e.err.join('')).toContain('not a valid duration');
  });

  it('prints help with exit 0', async () => {
    const c = capture();
    expect(await runCli(root, ['receive', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('--label=VALUE');
  });
});

describe('oneOfFlag', () => {
  it('returns an allowed value and refuses others, naming the flag and the choices', () => {
    const flags = { 'receive.grpc-compression': 'snappy', 'deduplication.func': 'zstd' };
    expect(oneOfFlag(flags, 'receive.grpc-compression', ['snappy', 'none'])).toBe('snappy');
    expect(() => oneOfFlag(flags, 'deduplication.func', ['penalty', 'chain'])).toThrow(
      new UsageError('--deduplication.func: unknown value "zstd" (expected one of penalty, chain)'),
    );
  });
});
