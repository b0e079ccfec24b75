// Request parameter parsing with Prometheus's rules: times as unix seconds (float) or
// RFC3339, durations as seconds (float) or Prometheus duration strings, booleans as Go's
// strconv.ParseBool.
import { parseDuration as parsePromDuration } from '@thanos-ts/promql';
import { ApiError } from './api-error';

/** Prometheus's own boundary times, which `time.Parse` cannot read back (5-digit years). */
export const MIN_TIME_MS = -9223309901257974;
export const MAX_TIME_MS = 9223309901257974;
const MIN_TIME_TEXT = '-292273086-05-16T16:47:06Z';
const MAX_TIME_TEXT = '292277025-08-18T07:12:54.999999999Z';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000 + 1e-9);
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return ms;
}

/** A time parameter in ms; throws a `bad_data` error naming the parameter. */
export function parseTimeParam(param: string, text: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const secs = Number(text);
    const whole = Math.trunc(secs);
    // Prometheus rounds the fraction to milliseconds.
    return whole * 1000 + Math.round((secs - whole) * 1000);
  }
  const ms = parseRfc3339(text);
  if (ms !== undefined) return ms;
  if (text === MIN_TIME_TEXT) return MIN_TIME_MS;
  if (text === MAX_TIME_TEXT) return MAX_TIME_MS;
  throw ApiError.invalidParam(param, `cannot parse ${JSON.stringify(text)} to a valid timestamp`);
}

/** Like {@link parseTimeParam}, with a default for an absent or empty parameter. */
export function parseTimeOr(param: string, text: string | null, fallback: number): number {
  return text === null || text === '' ? fallback : parseTimeParam(param, text);
}

/** Go's time.Duration limit (MaxInt64 ns) in ms. */
const MAX_DURATION_MS = 2 ** 63 / 1e6;

/** A duration parameter in ms: seconds as a float (`15`, `0.5`) or a duration (`15s`). */
export function parseDurationParam(param: string, text: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const ms = Number(text) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DURATION_MS) {
      throw ApiError.invalidParam(
        param,
        `cannot parse ${JSON.stringify(text)} to a valid duration. It overflows int64`,
      );
    }
    return Math.round(ms);
  }
  try {
    return parsePromDuration(text);
  } catch {
    throw ApiError.invalidParam(param, `cannot parse ${JSON.stringify(text)} to a valid duration`);
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean parameter (Go's strconv.ParseBool), with a default when absent or empty. */
export function parseBoolParam(param: string, text: string | null, fallback: boolean): boolean {
  if (text === null || text === '') return fallback;
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw ApiError.invalidParam(param, `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
}

/**
 * The `max_source_resolution` parameter in ms (Thanos semantics): absent means `fallback`
 * when auto downsampling is on and 0 (raw) otherwise; `auto` always means `fallback`;
 * `raw` is 0; anything else is a duration, and negative ones are refused.
 */
export function parseMaxSourceResolution(text: string | null, fallback: number, autoDownsampling: boolean): number {
  const param = 'max_source_resolution';
  if (text === null || text === '') return autoDownsampling ? fallback : 0;
  if (text === 'auto') return fallback;
  if (text === 'raw') return 0;
  const ms = parseDurationParam(param, text);
  if (ms < 0) throw ApiError.invalidParam(param, `negative '${param}' is not accepted. Try a positive integer`);
  return ms;
}
