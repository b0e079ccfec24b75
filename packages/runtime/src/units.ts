// Duration and byte-size text as Thanos users write them in flags and config files.
// Each caller turns `undefined` into its own error naming the flag or config key.

const DURATION_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/**
 * Milliseconds of a Prometheus (`30d`, `1h30m`) or Go (`1.5s`, `250us`) duration; `0` alone
 * is allowed without a unit. Undefined when malformed.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
};

/**
 * Bytes of a size such as `250MB`, `1GiB`, `512KB` or `1048576`. Units are powers of 1024
 * (`KB` = `KiB`), as kingpin's `Base2Bytes` reads Thanos's flags. Undefined when malformed.
 */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([KMGTP])(i?)B|(B?))$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = BYTE_UNITS[(m[2] ?? '').toUpperCase()];
  return Math.floor(Number(m[1]) * unit);
}
