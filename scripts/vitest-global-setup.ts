import { ensureChromium, ensurePrometheus } from '@thanos-ts/testkit';

/**
 * Installs what the tests run against, once, before any test file: Debian's Prometheus
 * 2.42 (the oracle) and Chromium (for the web UI checks; best effort).
 */
export default function setup(): void {
  ensurePrometheus();
  if (!ensureChromium()) process.stderr.write('chromium is not available: the web UI browser checks will be skipped\n');
}
