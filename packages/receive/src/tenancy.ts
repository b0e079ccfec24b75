// Which tenant a write belongs to (spec 1.3 step 2 and 1.5).

/** Go's `path.Base(t) == t`: no slash, not `.` or `..`, not empty. */
export function isValidTenant(tenant: string): boolean {
  return tenant !== '' && tenant !== '.' && tenant !== '..' && !tenant.includes('/');
}

export interface TenancyOptions {
  tenantHeader: string;
  defaultTenant: string;
}

/** The tenant named by the request headers, or the default tenant. Headers are lower-cased by Node. */
export function tenantFromHeaders(
  headers: Record<string, string | string[] | undefined>,
  opts: TenancyOptions,
): string {
  const pick = (name: string) => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  };
  return pick(opts.tenantHeader) || pick('THANOS-TENANT') || opts.defaultTenant;
}
