// Prometheus durations (model.ParseDuration / model.Duration.String): units y w d h m s ms,
// each at most once, largest first.

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const UNITS: [string, number][] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Go's MaxInt64 nanoseconds expressed in ms: model.ParseDuration rejects anything larger. */
const MAX_DURATION_MS = 9223372036854;

/** Parses a duration into milliseconds. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const m = DURATION_RE.exec(text);
  if (!m || text === '') throw new DurationError(`not a valid duration string: "${text}"`);
  let total = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) total += Number(g) * UNITS[i][1];
  }
  if (total > MAX_DURATION_MS) throw new DurationError(`duration out of range: "${text}"`);
  return total;
}

/** Formats milliseconds like model.Duration.String(), e.g. `1h30m`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = '';
  let rest = ms;
  if (rest < 0) {
    out = '-';
    rest = -rest;
  }
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
