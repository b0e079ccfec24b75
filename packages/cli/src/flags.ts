// Kingpin-style flag parsing as Thanos users know it: `--name=value` or `--name value`,
// repeatable flags, booleans with `--no-name`, and a usage text generated from the
// declarations so help and parsing cannot drift apart.

import { parseBytes, parseDuration } from '@thanos-ts/runtime';

export type FlagKind = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'strings';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  default?: string | number | boolean | string[];
  required?: boolean;
  placeholder?: string;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The value of a string flag that must be one of `allowed`, or a usage error naming them. */
export function oneOfFlag<T extends string>(flags: FlagValues, name: string, allowed: readonly T[]): T {
  const value = flags[name] as string;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name}: unknown value ${JSON.stringify(value)} (expected one of ${allowed.join(', ')})`);
  }
  return value as T;
}

/** Parses a Prometheus-style duration (`1h30m`, `500ms`, `0s`) into milliseconds. */
export function parseDurationMs(text: string): number {
  if (text.length === 0) throw new UsageError('empty duration string');
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`not a valid duration string: "${text}"`);
  return ms;
}

/** A size such as `1GiB`, `512MB` or `1048576` (units are powers of 1024, as Thanos's byte flags). */
export function parseByteSize(text: string, flag: string): number {
  const bytes = parseBytes(text);
  if (bytes === undefined) throw new UsageError(`--${flag}: not a size: ${JSON.stringify(text)} (e.g. 1GiB, 512MiB)`);
  return bytes;
}

function convert(spec: FlagSpec, raw: string): string | number | boolean {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${spec.name} expects an integer, got "${raw}"`);
      return Number(raw);
    }
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw new UsageError(`--${spec.name} expects a number, got "${raw}"`);
      return n;
    }
    case 'duration':
      try {
        return parseDurationMs(raw);
      } catch (e) {
        throw new UsageError(`--${spec.name}: ${(e as Error).message}`);
      }
    case 'bool':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new UsageError(`--${spec.name} expects true or false, got "${raw}"`);
    default:
      return raw;
  }
}

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

export function parseFlags(specs: FlagSpec[], argv: string[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: FlagValues = {};
  for (const s of specs) {
    if (s.default !== undefined) {
      flags[s.name] =
        s.kind === 'duration' && typeof s.default === 'string'
          ? parseDurationMs(s.default)
          : Array.isArray(s.default)
            ? [...s.default]
            : s.default;
    } else if (s.kind === 'strings') flags[s.name] = [];
    else if (s.kind === 'bool') flags[s.name] = false;
  }
  const seen = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'bool') {
      spec = byName.get(name.slice(3));
      name = name.slice(3);
      if (inline !== undefined) throw new UsageError(`--no-${name} takes no value`);
      inline = 'false';
    }
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    let raw: string;
    if (inline !== undefined) raw = inline;
    else if (spec.kind === 'bool') raw = 'true';
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      raw = argv[++i];
    }
    if (spec.kind === 'strings') {
      const list = seen.has(name) ? (flags[name] as string[]) : [];
      list.push(raw);
      flags[name] = list;
    } else {
      flags[name] = convert(spec, raw);
    }
    seen.add(name);
  }
  for (const s of specs) {
    if (s.required && !seen.has(s.name)) throw new UsageError(`required flag --${s.name} not provided`);
  }
  return { flags, positionals };
}

export function formatFlagHelp(specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const value = s.kind === 'bool' ? '' : `=${s.placeholder ?? s.kind.toUpperCase().replace('STRINGS', 'VALUE')}`;
    const left = `  --${s.kind === 'bool' ? '[no-]' : ''}${s.name}${value}`;
    const dflt =
      s.default === undefined || (Array.isArray(s.default) && s.default.length === 0)
        ? ''
        : ` (default: ${String(s.default)})`;
    const rep = s.kind === 'strings' ? ' (repeatable)' : '';
    return { left, right: `${s.help}${dflt}${rep}` };
  });
  const width = Math.min(48, Math.max(0, ...rows.map((r) => r.left.length)) + 2);
  return rows
    .map((r) =>
      r.left.length + 2 > width ? `${r.left}\n${' '.repeat(width)}${r.right}` : r.left.padEnd(width) + r.right,
    )
    .join('\n');
}
