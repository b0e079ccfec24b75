import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function found(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/** The installed Chromium, if any (the test setup installs it with `ensureChromium`). */
export const chromiumPath = found;

/** Flags for a quiet, reproducible headless Chromium in tests (add a profile dir and the window size). */
export const HEADLESS_CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium for the web UI tests: Debian's `chromium`, installed on first use when
 * running as root. Returns its path, or undefined when it cannot be had (the UI tests then
 * skip their browser checks and say why).
 */
export function ensureChromium(): string | undefined {
  if (found() || process.getuid?.() !== 0) return found();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env });
  } catch {
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env });
    } catch {
      return undefined;
    }
  }
  return found();
}
