// Prometheus's `TimeOrDurationValue` flag values (`2023-01-01T00:00:00Z` or a duration
// relative to now such as `-2w`), as the store gateway's --min-time/--max-time take them.
import { parseDuration } from '@thanos-ts/runtime';

export class FlagValueError extends Error {
  override readonly name = 'FlagValueError';
}

/**
 * A time in milliseconds from RFC3339 text, or from a duration relative to `now`
 * (`-2w`, `-36h`, `1h`). Thanos's defaults `0000-01-01T00:00:00Z` and
 * `9999-12-31T23:59:59Z` come out as the int64 sentinels' JS stand-ins.
 */
export function parseTimeOrDuration(text: string, now = Date.now()): number {
  const t = text.trim();
  const rel = /^([-+]?)(.+)$/.exec(t);
  if (rel && /^\d/.test(rel[2]) && !/^\d{4}-/.test(rel[2])) {
    const d = parseDuration(rel[2]);
    if (d === undefined) throw new FlagValueError(`invalid duration ${JSON.stringify(text)}`);
    return rel[1] === '-' ? now - d : now + d;
  }
  if (/^0000-01-01/.test(t)) return Number.MIN_SAFE_INTEGER;
  if (/^9999-12-31/.test(t)) return Number.MAX_SAFE_INTEGER;
  const ms = Date.parse(t);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(t) || Number.isNaN(ms)) {
    throw new FlagValueError(
      `invalid time ${JSON.stringify(text)} (want RFC3339 like 2023-01-01T00:00:00Z or a duration like -2w)`,
    );
  }
  return ms;
}
