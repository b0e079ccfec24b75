// Flag value parsers Thanos users know: byte sizes in kingpin's base-2 units (`250MB` is
// 250 MiB, as `units.Base2Bytes` reads it) and Prometheus's `TimeOrDurationValue`
// (`2023-01-01T00:00:00Z` or a duration relative to now such as `-2w`).

export class FlagValueError extends Error {
  override readonly name = 'FlagValueError';
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 2 ** 10,
  KIB: 2 ** 10,
  MB: 2 ** 20,
  MIB: 2 ** 20,
  GB: 2 ** 30,
  GIB: 2 ** 30,
  TB: 2 ** 40,
  TIB: 2 ** 40,
  PB: 2 ** 50,
  PIB: 2 ** 50,
};

/** `250MB` → 262144000. Units are powers of 1024, as in Thanos (`KB` = `KiB`). */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? BYTE_UNITS[m[2].toUpperCase()] : undefined;
  if (!m || unit === undefined) {
    throw new FlagValueError(`invalid byte size ${JSON.stringify(text)} (want e.g. 512KB, 250MB, 2GB)`);
  }
  return Math.floor(Number(m[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

function parseDurationMs(text: string): number | undefined {
  const re = /(\d+)(ms|s|m|h|d|w|y)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
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
    const d = parseDurationMs(rel[2]);
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
