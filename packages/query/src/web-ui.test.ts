import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@thanos-ts/runtime';
import { chromiumPath, HEADLESS_CHROMIUM_FLAGS, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Querier } from './querier';
import { CdpSession } from './testing/cdp';
import { startFakeStore, type FakeStore } from './testing/fake-store';

const CHROMIUM = chromiumPath();
const CHROMIUM_FLAGS = [...HEADLESS_CHROMIUM_FLAGS, '--window-size=1100,800'];
const run = promisify(execFile);

/** Loads `url` in headless Chromium, lets its scripts and fetches run, returns the final DOM. */
async function renderDom(url: string, profile: string, extra: string[] = []): Promise<string> {
  const { stdout } = await run(
    CHROMIUM!,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--virtual-time-budget=5000', ...extra, '--dump-dom', url],
    { maxBuffer: 32 << 20, timeout: 60_000 },
  );
  return stdout;
}

const T_END = Date.now();

/** The DevTools WebSocket URL of the first page of a Chromium started with --remote-debugging-port=0. */
async function pageWebSocketUrl(profile: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const port = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0];
      const pages = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
        type: string;
        webSocketDebuggerUrl: string;
      }>;
      const page = pages.find((p) => p.type === 'page');
      if (page) return page.webSocketDebuggerUrl;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('Chromium did not open its DevTools port');
}

async function pressKey(page: CdpSession, key: string, keyCode: number): Promise<void> {
  for (const type of ['keyDown', 'keyUp']) {
    await page.send('Input.dispatchKeyEvent', { type, key, code: key, windowsVirtualKeyCode: keyCode });
  }
}

describe.skipIf(CHROMIUM === undefined)('web UI in headless Chromium', () => {
  const dir = tempDir('query-ui-');
  let store: FakeStore;
  let querier: Querier;
  let base: string;

  beforeAll(async () => {
    const ts = Array.from({ length: 240 }, (_, i) => T_END - (239 - i) * 15_000);
    store = await startFakeStore({
      externalLabels: { cluster: 'eu' },
      series: ['a', 'b', 'c'].map((instance, k) => ({
        labels: { __name__: 'node_load1', instance },
        timestamps: ts,
        values: Float64Array.from(ts.map((_, i) => k + Math.sin(i / 20))),
      })),
    });
    querier = new Querier({
      httpAddress: '127.0.0.1:0',
      endpoints: [store.address],
      replicaLabels: [],
      logger: createLogger({ write: () => {} }),
    });
    await querier.start();
    base = `http://127.0.0.1:${querier.httpPort}`;
  });

  afterAll(async () => {
    await querier.stop();
    await store.stop();
    // Keep the screenshot as the test's artefact; drop the browser profiles.
    for (const profile of ['cdp', 'p3', 'p4', 'p5']) rmSync(join(dir.path, profile), { recursive: true, force: true });
  });

  it('autocompletes names, draws one SVG path per series with a legend, and keeps a screenshot', async () => {
    const profile = join(dir.path, 'cdp');
    const chromium = spawn(
      CHROMIUM!,
      [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
      {
        stdio: 'ignore',
      },
    );
    let page: CdpSession | undefined;
    try {
      page = await CdpSession.connect(await pageWebSocketUrl(profile));
      await page.send('Page.navigate', { url: `${base}/graph?range=1h&end=${T_END / 1000}` });
      await page.waitFor("document.readyState === 'complete' && document.getElementById('expr')");
      await page.evaluate("document.getElementById('expr').focus()");
      // Metric names arrive asynchronously; type once they are there.
      await page.waitFor("document.body.dataset.names === 'loaded'");
      await page.send('Input.insertText', { text: 'node_lo' });
      await page.waitFor("document.querySelectorAll('#suggest li').length > 0");
      const suggestions = await page.evaluate<string[]>(
        "[...document.querySelectorAll('#suggest li')].map(li => li.textContent)",
      );
      expect(suggestions).toEqual(['node_load1']);
      await pressKey(page, 'Tab', 9);
      expect(await page.evaluate("document.getElementById('expr').value")).toBe('node_load1');
      await page.evaluate("document.getElementById('tab-graph').click()");
      await page.waitFor("document.querySelectorAll('path.series-line').length === 3");
      const paths = await page.evaluate<string[]>(
        "[...document.querySelectorAll('path.series-line')].map(p => p.getAttribute('d'))",
      );
      for (const d of paths) expect(d).toMatch(/^M[\d.]+,[\d.]+ L/);
      const legend = await page.evaluate<string>("document.getElementById('legend').textContent");
      expect(legend).toContain('node_load1{cluster="eu", instance="b"}');
      expect(await page.evaluate('location.search')).toContain('expr=node_load1');

      const shot = join(dir.path, 'graph.png');
      const { data } = await page.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
      writeFileSync(shot, Buffer.from(data, 'base64'));
      expect(statSync(shot).size).toBeGreaterThan(5000);
      console.log(`web UI screenshot: ${shot}`);
    } finally {
      page?.close();
      chromium.kill();
    }
  });

  it('shows instant results in the table and query errors', async () => {
    const ok = await renderDom(
      `${base}/graph?expr=${encodeURIComponent('sum(node_load1)')}&tab=table`,
      join(dir.path, 'p3'),
    );
    expect(ok).toMatch(/<table id="result-table">.*<td>\{\}<\/td>/s);
    const bad = await renderDom(`${base}/graph?expr=${encodeURIComponent('sum(')}&tab=table`, join(dir.path, 'p4'));
    expect(bad).toMatch(/id="query-error">Error \(bad_data\): invalid parameter "query": 1:5: parse error/);
  });

  it('lists stores and their health on the Stores page', async () => {
    const dom = await renderDom(`${base}/stores`, join(dir.path, 'p5'));
    expect(dom).toContain(store.address);
    expect(dom).toMatch(/<td class="up">UP<\/td>/);
    expect(dom).toContain('{cluster="eu"}');
  });
});
