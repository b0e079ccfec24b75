import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromiumPath,
  freePort,
  HEADLESS_CHROMIUM_FLAGS,
  startCli,
  waitForHttpOk,
  type RunningProcess,
} from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { markQuarantined, readBucketState } from './bucket-state';
import { buildBucketView } from './bucket-view';
import { initGroupHashing } from './groups';
import { testBucket, uploadSamplesBlock, type TestBucket } from './testing/bucket-fixtures';
import { renderBucketPage } from './web-ui';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function chromium(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const r = spawnSync(
    chromiumPath()!,
    [
      ...HEADLESS_CHROMIUM_FLAGS,
      `--user-data-dir=${profile}`,
      '--window-size=1280,800',
      '--virtual-time-budget=5000',
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
  );
  execFileSync('rm', ['-rf', profile]);
  if (r.status !== 0) throw new Error(`chromium failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Two tenants with 2h blocks; team-b's group is quarantined. Returns the number of blocks. */
async function populate(tb: TestBucket): Promise<number> {
  let n = 0;
  for (const tenant of ['team-a', 'team-b']) {
    for (let i = 0; i < 3; i++) {
      const t = T0 + i * 2 * HOUR;
      const m = await uploadSamplesBlock(
        tb,
        [{ labels: { __name__: 'up' }, timestamps: [t, t + 60_000], values: [1, 1] }],
        { tenant_id: tenant },
        { mint: t, maxt: t + 2 * HOUR },
      );
      n++;
      if (tenant === 'team-b' && i === 0)
        await markQuarantined(tb.bucket, m.ulid, 'chunk checksum mismatch in test', new Date());
    }
  }
  return n;
}

describe('bucket web UI', () => {
  const tb = testBucket();
  let proc: RunningProcess | undefined;
  afterAll(async () => {
    await proc?.stop();
    tb.cleanup();
  });

  it('renders one bar per block and the quarantined group in red', async () => {
    await initGroupHashing();
    const blocks = await populate(tb);
    const html = renderBucketPage(buildBucketView(await readBucketState(tb.bucket), [], Date.now()));
    expect(html.match(/<rect class="block"/g)).toHaveLength(blocks);
    expect(html).toMatch(/<section class="group quarantined"[^>]*>.*tenant_id=&#34;team-b&#34;/);
    expect(html).toContain('QUARANTINED (compaction stopped for this group): chunk checksum mismatch in test');
    expect(html).not.toMatch(/<script src=|<link [^>]*href=|https?:\/\//);
  });

  it('is served by `compact --wait` with /metrics and probes, and draws its bars in headless Chromium', async (ctx) => {
    const port = await freePort();
    proc = startCli([
      'compact',
      '--wait',
      '--wait-interval=1h',
      `--http-address=127.0.0.1:${port}`,
      `--objstore.config=type: FILESYSTEM\nconfig:\n  directory: ${tb.dir}\n`,
      `--data-dir=${join(tb.scratch, 'wait-data')}`,
      '--consistency-delay=0s',
      '--log.level=warn',
    ]);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttpOk(`${base}/-/ready`, proc);
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    let metrics = '';
    for (let i = 0; i < 100 && !/thanos_compact_iterations_total 1/.test(metrics); i++) {
      metrics = await (await fetch(`${base}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(metrics).toContain('thanos_compact_iterations_total 1');
    expect(metrics).toMatch(/thanos_compact_halted\{group="0@\d+"\} 1/);
    expect(metrics).toContain('thanos_compact_todo_compactions');
    const api = (await (await fetch(`${base}/api/v1/blocks`)).json()) as { data: { groups: { blocks: unknown[] }[] } };
    const blocks = api.data.groups.reduce((n, g) => n + g.blocks.length, 0);
    expect(blocks).toBe(6);

    if (!chromiumPath()) {
      ctx.skip('chromium is not installed (apt-get install -y chromium); the headless rendering check is skipped');
      return;
    }
    const dom = chromium(['--dump-dom', `${base}/`]);
    expect(dom.match(/<rect class="block"/g)).toHaveLength(blocks);
    expect(dom).toContain('class="group quarantined"');
    const shotDir = mkdtempSync(join(tmpdir(), 'compact-ui-shot-'));
    const shot = join(shotDir, 'bucket-ui.png');
    chromium([`--screenshot=${shot}`, `${base}/`]);
    expect(statSync(shot).size).toBeGreaterThan(5000);
    console.log(`bucket UI screenshot: ${shot}`);
  });
});
