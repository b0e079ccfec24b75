// The Thanos receive limits file (`--receive.limits-config-file`): a global write gate and
// per-tenant request and head-series limits. Values <= 0 mean unlimited.
import { parse as parseYaml } from 'yaml';

export interface RequestLimits {
  sizeBytesLimit: number;
  seriesLimit: number;
  samplesLimit: number;
}

export interface TenantLimits {
  request: RequestLimits;
  headSeriesLimit: number;
}

export interface WriteLimits {
  maxConcurrency: number;
  defaults: TenantLimits;
  tenants: Map<string, TenantLimits>;
}

export class LimitsConfigError extends Error {
  override readonly name = 'LimitsConfigError';
}

const UNLIMITED: TenantLimits = { request: { sizeBytesLimit: 0, seriesLimit: 0, samplesLimit: 0 }, headSeriesLimit: 0 };

export const noLimits: WriteLimits = { maxConcurrency: 0, defaults: UNLIMITED, tenants: new Map() };

type Obj = Record<string, unknown>;

function asObject(v: unknown, field: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new LimitsConfigError(`${field}: expected a mapping`);
  return v as Obj;
}

function checkKeys(o: Obj, allowed: string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new LimitsConfigError(`${field}: unknown field "${k}"`);
  }
}

function asLimit(v: unknown, field: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new LimitsConfigError(`${field}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
}

function parseTenantLimits(v: unknown, field: string, base: TenantLimits): TenantLimits {
  const o = asObject(v, field);
  checkKeys(o, ['request', 'head_series_limit'], field);
  const r = asObject(o.request, `${field}.request`);
  checkKeys(r, ['size_bytes_limit', 'series_limit', 'samples_limit'], `${field}.request`);
  return {
    request: {
      sizeBytesLimit: asLimit(r.size_bytes_limit, `${field}.request.size_bytes_limit`, base.request.sizeBytesLimit),
      seriesLimit: asLimit(r.series_limit, `${field}.request.series_limit`, base.request.seriesLimit),
      samplesLimit: asLimit(r.samples_limit, `${field}.request.samples_limit`, base.request.samplesLimit),
    },
    headSeriesLimit: asLimit(o.head_series_limit, `${field}.head_series_limit`, base.headSeriesLimit),
  };
}

/** Parses the limits YAML; errors name the offending field. */
export function parseLimitsConfig(text: string): WriteLimits {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new LimitsConfigError(`limits config is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const root = asObject(doc, 'limits config');
  checkKeys(root, ['write'], 'limits config');
  const write = asObject(root.write, 'write');
  checkKeys(write, ['global', 'default', 'tenants'], 'write');
  const global = asObject(write.global, 'write.global');
  checkKeys(
    global,
    ['max_concurrency', 'meta_monitoring_url', 'meta_monitoring_limit_query', 'meta_monitoring_http_client'],
    'write.global',
  );
  const defaults = parseTenantLimits(write.default, 'write.default', UNLIMITED);
  const tenants = new Map<string, TenantLimits>();
  for (const [name, v] of Object.entries(asObject(write.tenants, 'write.tenants'))) {
    tenants.set(name, parseTenantLimits(v, `write.tenants.${name}`, defaults));
  }
  return { maxConcurrency: asLimit(global.max_concurrency, 'write.global.max_concurrency', 0), defaults, tenants };
}

export function limitsFor(limits: WriteLimits, tenant: string): TenantLimits {
  return limits.tenants.get(tenant) ?? limits.defaults;
}

/** True when `value` exceeds a limit that is set (> 0). */
export function exceeds(limit: number, value: number): boolean {
  return limit > 0 && value > limit;
}
