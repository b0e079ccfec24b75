// Retention per resolution, with per-tenant overrides from a YAML file matched against
// blocks' external labels.
import { readFileSync } from 'node:fs';
import { parseDuration } from '@thanos-ts/runtime';
import { parse } from 'yaml';
import { RESOLUTION_1H, RESOLUTION_5M, RESOLUTION_RAW } from './downsample';

/** Retention in ms per resolution; 0 keeps blocks forever. */
export interface Retention {
  raw: number;
  fiveMinutes: number;
  oneHour: number;
}

export const KEEP_FOREVER: Retention = { raw: 0, fiveMinutes: 0, oneHour: 0 };

export class RetentionConfigError extends Error {
  override readonly name = 'RetentionConfigError';
}

interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  regex?: RegExp;
}

export interface RetentionOverride {
  matchers: LabelMatcher[];
  retention: Partial<Retention>;
}

/** Prometheus-style duration: `30d`, `1h30m`, `0`, `0d`. */
export function parseRetentionDuration(text: string, where: string): number {
  const ms = parseDuration(String(text));
  if (ms === undefined) throw new RetentionConfigError(`${where}: invalid duration ${JSON.stringify(text)}`);
  return ms;
}

/** Parses `name="value"`, `name!="v"`, `name=~"re"`, `name!~"re"` joined by commas, with or without braces. */
export function parseLabelMatchers(text: string, where: string): LabelMatcher[] {
  const body = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  const out: LabelMatcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;
  let pos = 0;
  for (let m = re.exec(body); m && m[0].length > 0; m = re.exec(body)) {
    const op = m[2] as LabelMatcher['op'];
    const value = JSON.parse(`"${m[3]}"`) as string;
    out.push({ name: m[1], op, value, regex: op.includes('~') ? new RegExp(`^(?:${value})$`) : undefined });
    pos = re.lastIndex;
  }
  if (pos !== body.length || out.length === 0)
    throw new RetentionConfigError(`${where}: invalid label matchers ${JSON.stringify(text)}`);
  return out;
}

function matches(m: LabelMatcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.regex!.test(v);
    case '!~':
      return !m.regex!.test(v);
  }
}

/**
 * Parses the overrides file:
 * ```yaml
 * overrides:
 *   - matchers: '{tenant_id="team-a"}'
 *     retention: { raw: 7d, 5m: 30d, 1h: 1y }
 * ```
 * The first override whose matchers all match a block's external labels applies;
 * resolutions it does not name keep the global retention.
 */
export function parseRetentionOverrides(text: string, where = 'retention overrides'): RetentionOverride[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new RetentionConfigError(`${where}: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  const list = (doc as { overrides?: unknown }).overrides;
  if (!Array.isArray(list)) throw new RetentionConfigError(`${where}: expected a top-level "overrides" list`);
  return list.map((item, i) => {
    const at = `${where}: overrides[${i}]`;
    const o = item as { matchers?: unknown; retention?: Record<string, unknown> };
    if (typeof o?.matchers !== 'string')
      throw new RetentionConfigError(`${at}: "matchers" must be a string like '{tenant_id="a"}'`);
    if (typeof o.retention !== 'object' || o.retention === null)
      throw new RetentionConfigError(`${at}: "retention" must be a map`);
    const retention: Partial<Retention> = {};
    for (const [key, value] of Object.entries(o.retention)) {
      const ms = parseRetentionDuration(String(value), `${at}.retention.${key}`);
      if (key === 'raw') retention.raw = ms;
      else if (key === '5m') retention.fiveMinutes = ms;
      else if (key === '1h') retention.oneHour = ms;
      else throw new RetentionConfigError(`${at}.retention: unknown resolution "${key}" (raw, 5m or 1h)`);
    }
    return { matchers: parseLabelMatchers(o.matchers, `${at}.matchers`), retention };
  });
}

export function loadRetentionOverrides(path: string): RetentionOverride[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RetentionConfigError(`cannot read retention overrides file: ${(e as Error).message}`);
  }
  return parseRetentionOverrides(text, path);
}

/** Retention for a block with these external labels and resolution (0 = forever). */
export function retentionFor(
  labels: Record<string, string>,
  resolution: number,
  global: Retention,
  overrides: readonly RetentionOverride[],
): number {
  const o = overrides.find((r) => r.matchers.every((m) => matches(m, labels)));
  const pick = (r: Partial<Retention>) =>
    resolution === RESOLUTION_RAW
      ? r.raw
      : resolution === RESOLUTION_5M
        ? r.fiveMinutes
        : resolution === RESOLUTION_1H
          ? r.oneHour
          : undefined;
  return (o && pick(o.retention)) ?? pick(global) ?? 0;
}

/** Whether a block ending at `maxTime` is past its retention at `now` (Thanos truncates maxTime to seconds). */
export function isExpired(maxTime: number, retention: number, now: number): boolean {
  return retention > 0 && now > Math.floor(maxTime / 1000) * 1000 + retention;
}
