import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { parseDuration } from '@thanos-ts/runtime';
import { ObjstoreConfigError } from './errors';

/** The provider types this implementation supports (Thanos spells them in upper case). */
export const SUPPORTED_TYPES = ['FILESYSTEM', 'S3', 'GCS', 'IN-MEMORY'] as const;
export type ObjstoreType = (typeof SUPPORTED_TYPES)[number];

/** Thanos types we recognise but do not implement, so the error can say so. */
const UNSUPPORTED_THANOS_TYPES = ['AZURE', 'SWIFT', 'COS', 'ALIYUNOSS', 'BOS', 'OCI', 'OBS'];

export interface TlsConfig {
  ca_file: string;
  cert_file: string;
  key_file: string;
  server_name: string;
  insecure_skip_verify: boolean;
}

/** Thanos `http_config`; durations are in milliseconds. */
export interface HttpConfig {
  idle_conn_timeout: number;
  response_header_timeout: number;
  insecure_skip_verify: boolean;
  tls_handshake_timeout: number;
  expect_continue_timeout: number;
  max_idle_conns: number;
  max_idle_conns_per_host: number;
  max_conns_per_host: number;
  disable_compression: boolean;
  tls_config: TlsConfig;
}

export interface FilesystemConfig {
  directory: string;
}

export interface SseConfig {
  type: string;
  kms_key_id: string;
  kms_encryption_context: Record<string, string>;
  encryption_key: string;
}

export interface S3Config {
  bucket: string;
  endpoint: string;
  region: string;
  aws_sdk_auth: boolean;
  access_key: string;
  secret_key: string;
  session_token: string;
  insecure: boolean;
  signature_version2: boolean;
  disable_dualstack: boolean;
  put_user_metadata: Record<string, string>;
  list_objects_version: string;
  bucket_lookup_type: string;
  send_content_md5: boolean;
  disable_multipart: boolean;
  part_size: number;
  sse_config: SseConfig;
  sts_endpoint: string;
  max_retries: number;
  http_config: HttpConfig;
  trace: { enable: boolean };
}

export interface GcsConfig {
  bucket: string;
  service_account: string;
  use_grpc: boolean;
  grpc_conn_pool_size: number;
  max_retries: number;
  chunk_size_bytes: number;
  http_config: HttpConfig;
  /** Not a Thanos field: a JSON API base URL (e.g. an emulator), used without authentication. */
  endpoint: string;
}

export type ProviderConfig = FilesystemConfig | S3Config | GcsConfig | Record<string, never>;

type FieldKind = 'string' | 'bool' | 'int' | 'duration' | 'stringMap' | Schema;
interface Field {
  kind: FieldKind;
  default: unknown;
  secret?: boolean;
}
type Schema = { [name: string]: Field };

const f = (kind: FieldKind, dflt: unknown, secret = false): Field => ({ kind, default: dflt, secret });

const TLS_SCHEMA: Schema = {
  ca_file: f('string', ''),
  cert_file: f('string', ''),
  key_file: f('string', ''),
  server_name: f('string', ''),
  insecure_skip_verify: f('bool', false),
};

const HTTP_SCHEMA: Schema = {
  idle_conn_timeout: f('duration', '1m30s'),
  response_header_timeout: f('duration', '2m'),
  insecure_skip_verify: f('bool', false),
  tls_handshake_timeout: f('duration', '10s'),
  expect_continue_timeout: f('duration', '1s'),
  max_idle_conns: f('int', 100),
  max_idle_conns_per_host: f('int', 100),
  max_conns_per_host: f('int', 0),
  disable_compression: f('bool', false),
  tls_config: f(TLS_SCHEMA, {}),
};

const SCHEMAS: Record<ObjstoreType, Schema> = {
  FILESYSTEM: { directory: f('string', '') },
  'IN-MEMORY': {},
  S3: {
    bucket: f('string', ''),
    endpoint: f('string', ''),
    region: f('string', ''),
    aws_sdk_auth: f('bool', false),
    access_key: f('string', ''),
    secret_key: f('string', '', true),
    session_token: f('string', '', true),
    insecure: f('bool', false),
    signature_version2: f('bool', false),
    disable_dualstack: f('bool', false),
    put_user_metadata: f('stringMap', {}),
    list_objects_version: f('string', ''),
    bucket_lookup_type: f('string', 'auto'),
    send_content_md5: f('bool', true),
    disable_multipart: f('bool', false),
    part_size: f('int', 64 * 1024 * 1024),
    sse_config: f(
      {
        type: f('string', ''),
        kms_key_id: f('string', ''),
        kms_encryption_context: f('stringMap', {}),
        encryption_key: f('string', '', true),
      },
      {},
    ),
    sts_endpoint: f('string', ''),
    max_retries: f('int', 0),
    http_config: f(HTTP_SCHEMA, {}),
    trace: f({ enable: f('bool', false) }, {}),
  },
  GCS: {
    bucket: f('string', ''),
    service_account: f('string', '', true),
    use_grpc: f('bool', false),
    grpc_conn_pool_size: f('int', 0),
    max_retries: f('int', 0),
    chunk_size_bytes: f('int', 0),
    http_config: f(HTTP_SCHEMA, {}),
    endpoint: f('string', ''),
  },
};

const SECRET_PLACEHOLDER = '<secret>';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks `raw` against `schema` and fills defaults; `path` names fields in errors (never their values). */
function applySchema(schema: Schema, raw: unknown, path: string): Record<string, unknown> {
  if (raw === null || raw === undefined) raw = {};
  if (!isPlainObject(raw)) throw new ObjstoreConfigError(`${path} must be a mapping`);
  for (const key of Object.keys(raw)) {
    if (!(key in schema)) throw new ObjstoreConfigError(`unknown field ${path}.${key}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const value = key in raw && raw[key] !== null ? raw[key] : field.default;
    out[key] = convertField(field.kind, value, `${path}.${key}`);
  }
  return out;
}

function convertField(kind: FieldKind, value: unknown, path: string): unknown {
  switch (kind) {
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (typeof value !== 'string') throw new ObjstoreConfigError(`${path} must be a string`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new ObjstoreConfigError(`${path} must be true or false`);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw new ObjstoreConfigError(`${path} must be an integer`);
      return value;
    case 'duration': {
      const ms = typeof value === 'string' ? parseDuration(value) : undefined;
      if (ms === undefined) throw new ObjstoreConfigError(`${path} must be a duration such as "1m30s"`);
      return ms;
    }
    case 'stringMap': {
      if (!isPlainObject(value)) throw new ObjstoreConfigError(`${path} must be a mapping of strings`);
      for (const [k, v] of Object.entries(value))
        if (typeof v !== 'string') throw new ObjstoreConfigError(`${path}.${k} must be a string`);
      return { ...value };
    }
    default:
      return applySchema(kind, value, path);
  }
}

function redact(schema: Schema, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const field = schema[key];
    if (field?.secret && value !== '') out[key] = SECRET_PLACEHOLDER;
    else if (field && typeof field.kind === 'object' && isPlainObject(value)) out[key] = redact(field.kind, value);
    else out[key] = value;
  }
  return out;
}

/** A validated object store config. Printing it (toString, JSON, console) never shows secrets. */
export class ObjstoreConfig<C extends ProviderConfig = ProviderConfig> {
  constructor(
    readonly type: ObjstoreType,
    readonly config: C,
    readonly prefix: string,
  ) {}

  /** The config with secret fields replaced by `<secret>`. */
  redacted(): { type: ObjstoreType; config: Record<string, unknown>; prefix: string } {
    return {
      type: this.type,
      config: redact(SCHEMAS[this.type], this.config as Record<string, unknown>),
      prefix: this.prefix,
    };
  }

  toString(): string {
    return stringify(this.redacted());
  }

  toJSON(): unknown {
    return this.redacted();
  }

  [inspect.custom](): unknown {
    return this.redacted();
  }
}

function parseType(raw: unknown): ObjstoreType {
  if (raw === undefined || raw === null || raw === '') throw new ObjstoreConfigError('field type is required');
  if (typeof raw !== 'string') throw new ObjstoreConfigError('field type must be a string');
  const upper = raw.toUpperCase();
  if ((SUPPORTED_TYPES as readonly string[]).includes(upper)) return upper as ObjstoreType;
  const supported = SUPPORTED_TYPES.join(', ');
  if (UNSUPPORTED_THANOS_TYPES.includes(upper))
    throw new ObjstoreConfigError(`type ${upper} is not supported by thanos-ts (supported: ${supported})`);
  throw new ObjstoreConfigError(`unknown type "${raw}" (supported: ${supported})`);
}

function requireField(type: ObjstoreType, config: Record<string, unknown>, key: string): void {
  if (config[key] === '') throw new ObjstoreConfigError(`${type} config.${key} is required`);
}

/** Type-specific rules beyond the field schema, following Thanos' validation. */
function validate(type: ObjstoreType, config: Record<string, unknown>): void {
  switch (type) {
    case 'FILESYSTEM':
      requireField(type, config, 'directory');
      break;
    case 'S3': {
      const c = config as unknown as S3Config;
      requireField(type, config, 'bucket');
      requireField(type, config, 'endpoint');
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(c.endpoint))
        throw new ObjstoreConfigError(
          'S3 config.endpoint must be host[:port] without a scheme (insecure: true selects http)',
        );
      if (c.signature_version2)
        throw new ObjstoreConfigError(
          'S3 config.signature_version2 is not supported (only AWS Signature Version 4 is)',
        );
      if (c.access_key !== '' && c.secret_key === '')
        throw new ObjstoreConfigError('S3 config.secret_key is required when config.access_key is set');
      if (c.access_key === '' && c.secret_key !== '')
        throw new ObjstoreConfigError('S3 config.access_key is required when config.secret_key is set');
      if (!['', 'v1', 'v2'].includes(c.list_objects_version))
        throw new ObjstoreConfigError('S3 config.list_objects_version must be "v1" or "v2"');
      if (!['auto', 'virtual-hosted', 'path'].includes(c.bucket_lookup_type))
        throw new ObjstoreConfigError('S3 config.bucket_lookup_type must be auto, virtual-hosted or path');
      if (c.part_size < 5 * 1024 * 1024) throw new ObjstoreConfigError('S3 config.part_size must be at least 5 MiB');
      if (!['', 'SSE-S3', 'SSE-KMS'].includes(c.sse_config.type))
        throw new ObjstoreConfigError('S3 config.sse_config.type must be SSE-S3 or SSE-KMS (SSE-C is not supported)');
      if (c.sse_config.type === 'SSE-KMS' && c.sse_config.kms_key_id === '')
        throw new ObjstoreConfigError('S3 config.sse_config.kms_key_id is required for SSE-KMS');
      break;
    }
    case 'GCS': {
      const c = config as unknown as GcsConfig;
      requireField(type, config, 'bucket');
      if (c.use_grpc) throw new ObjstoreConfigError('GCS config.use_grpc is not supported (the JSON API is used)');
      if (c.service_account !== '') {
        try {
          if (!isPlainObject(JSON.parse(c.service_account))) throw new Error();
        } catch {
          throw new ObjstoreConfigError('GCS config.service_account must be the JSON key of a service account');
        }
      }
      break;
    }
    case 'IN-MEMORY':
      break;
  }
}

/** Parses Thanos objstore YAML (`type`, `config`, `prefix`); only the first YAML document counts, as in Thanos. */
export function parseObjstoreConfig(yamlText: string): ObjstoreConfig {
  const docs = parseAllDocuments(yamlText);
  const first = Array.isArray(docs) ? docs[0] : undefined;
  if (first && first.errors.length > 0)
    throw new ObjstoreConfigError(`malformed YAML: ${first.errors[0].message.split('\n')[0]}`);
  if (!first || first.contents === null) throw new ObjstoreConfigError('the config is empty');
  const root: unknown = first.toJS();
  if (!isPlainObject(root)) throw new ObjstoreConfigError('the top level must be a mapping with type and config');
  for (const key of Object.keys(root)) {
    if (!['type', 'config', 'prefix'].includes(key)) throw new ObjstoreConfigError(`unknown field ${key}`);
  }
  const type = parseType(root.type);
  const config = applySchema(SCHEMAS[type], root.config, `${type} config`);
  validate(type, config);
  const prefix = root.prefix ?? '';
  if (typeof prefix !== 'string') throw new ObjstoreConfigError('field prefix must be a string');
  return new ObjstoreConfig(type, config as ProviderConfig, prefix);
}

/**
 * Resolves the `--objstore.config-file` / `--objstore.config` flag pair (exactly one must be set).
 */
export async function loadObjstoreConfig(flags: { file?: string; content?: string }): Promise<ObjstoreConfig> {
  const file = flags.file ?? '';
  const content = flags.content ?? '';
  if (file !== '' && content !== '')
    throw new ObjstoreConfigError('--objstore.config-file and --objstore.config are mutually exclusive');
  if (file === '' && content === '')
    throw new ObjstoreConfigError('no object storage config: set --objstore.config-file or --objstore.config');
  if (content !== '') return parseObjstoreConfig(content);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ObjstoreConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseObjstoreConfig(text);
}
