// Flags every service shares, and the small parsers they need, kept in one place so that
// each command only declares what is its own.
import { readFileSync } from 'node:fs';
import { createBucket, ObjstoreConfigError, type Bucket } from '@thanos-ts/objstore';
import { createLogger, parseLogFormat, parseLogLevel, type Logger } from '@thanos-ts/runtime';
import type { Registry } from 'prom-client';
import type { Label } from '@thanos-ts/tsdb';
import { UsageError, type FlagSpec, type FlagValues } from './flags';

export const logFlags: FlagSpec[] = [
  {
    name: 'log.level',
    kind: 'string',
    help: 'Only log messages with the given severity or above: debug, info, warn, error.',
    default: 'info',
  },
  { name: 'log.format', kind: 'string', help: 'Output format of log messages: logfmt or json.', default: 'logfmt' },
];

export const httpFlag: FlagSpec = {
  name: 'http-address',
  kind: 'string',
  help: 'Listen host:port for HTTP endpoints (/metrics, /-/healthy, /-/ready).',
  default: '0.0.0.0:10902',
};

export const grpcFlag: FlagSpec = {
  name: 'grpc-address',
  kind: 'string',
  help: 'Listen host:port for the gRPC StoreAPI.',
  default: '0.0.0.0:10901',
};

export const objstoreFlags: FlagSpec[] = [
  {
    name: 'objstore.config-file',
    kind: 'string',
    help: 'Path to the object store configuration (Thanos objstore YAML).',
  },
  {
    name: 'objstore.config',
    kind: 'string',
    help: 'Object store configuration YAML inline (instead of --objstore.config-file).',
  },
];

export function loggerFromFlags(flags: FlagValues, component: string): Logger {
  try {
    return createLogger({
      level: parseLogLevel(String(flags['log.level'])),
      format: parseLogFormat(String(flags['log.format'])),
    }).with({ component });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The objstore YAML text from --objstore.config or --objstore.config-file, if either is set. */
export function objstoreYaml(flags: FlagValues): string | undefined {
  const inline = flags['objstore.config'] as string | undefined;
  const file = flags['objstore.config-file'] as string | undefined;
  if (inline && file) throw new UsageError('use only one of --objstore.config and --objstore.config-file');
  if (inline) return inline;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --objstore.config-file: ${(e as Error).message}`);
  }
}

/** Parses `name="value"` as Thanos's --label and --selector-label flags take it. */
export function parseLabelFlag(text: string, flag: string): Label {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.*)$/s.exec(text);
  if (!m) throw new UsageError(`--${flag} ${JSON.stringify(text)}: want name="value"`);
  let value: unknown;
  try {
    value = JSON.parse(m[2]);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string')
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: the value must be a double-quoted string`);
  return { name: m[1], value };
}

/** The bucket named by the objstore flags (with operation metrics on `registry`), if any is configured. */
export function bucketFromFlags(flags: FlagValues, logger: Logger, registry: Registry): Bucket | undefined {
  const yaml = objstoreYaml(flags);
  if (yaml === undefined) return undefined;
  try {
    return createBucket(yaml, { logger, registry });
  } catch (e) {
    if (e instanceof ObjstoreConfigError) throw new UsageError(`objstore config: ${e.message}`);
    throw e;
  }
}
