// Structured logs as Thanos writes them: logfmt by default (`level=info ts=... msg=...`),
// JSON with --log.format=json, filtered by --log.level.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';
export type LogFields = Record<string, unknown>;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `component=receive`). */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; defaults to stderr, as Thanos logs. */
  write?: (line: string) => void;
  now?: () => Date;
}

function fieldText(v: unknown): string {
  if (v instanceof Error) return v.message;
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

function logfmtValue(v: unknown): string {
  const s = fieldText(v);
  return s === '' || /[\s"=\\]/.test(s) || /[^\x20-\x7e]/.test(s) ? JSON.stringify(s) : s;
}

export function parseLogLevel(text: string): LogLevel {
  if (text in LEVEL_RANK) return text as LogLevel;
  throw new Error(`unknown log level "${text}" (want debug, info, warn or error)`);
}

export function parseLogFormat(text: string): LogFormat {
  if (text === 'logfmt' || text === 'json') return text;
  throw new Error(`unknown log format "${text}" (want logfmt or json)`);
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = LEVEL_RANK[options.level ?? 'info'];
  const format = options.format ?? 'logfmt';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());

  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < min) return;
    const all: LogFields = { level, ts: now().toISOString(), ...base, msg, ...fields };
    if (format === 'json') {
      write(JSON.stringify(all, (_k, v) => (v instanceof Error ? v.message : v)));
    } else {
      write(
        Object.entries(all)
          .map(([k, v]) => `${k}=${logfmtValue(v)}`)
          .join(' '),
      );
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger that drops everything, for library code called without one. */
export const nopLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  with: () => nopLogger,
};
