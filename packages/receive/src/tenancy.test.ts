import { describe, expect, it } from 'vitest';
import { isValidTenant, tenantFromHeaders } from './tenancy';
import { WriteReport } from './write-errors';

describe('tenancy', () => {
  const opts = { tenantHeader: 'X-Scope-OrgID', defaultTenant: 'default-tenant' };

  it('takes the configured header, then THANOS-TENANT, then the default', () => {
    expect(tenantFromHeaders({ 'x-scope-orgid': 'a', 'thanos-tenant': 'b' }, opts)).toBe('a');
    expect(tenantFromHeaders({ 'thanos-tenant': 'b' }, opts)).toBe('b');
    expect(tenantFromHeaders({}, opts)).toBe('default-tenant');
  });

  it('rejects tenants that are not a single path element', () => {
    for (const bad of ['../x', 'a/b', '.', '..', '']) expect(isValidTenant(bad), bad).toBe(false);
    for (const good of ['team-a', 'a.b', '...']) expect(isValidTenant(good), good).toBe(true);
  });
});

describe('WriteReport', () => {
  it('counts kinds, keeps the first series, and prefers 429 over 409', () => {
    const r = new WriteReport();
    r.add('out_of_order', () => '{__name__="a"}', 3);
    r.add('out_of_order', () => '{__name__="b"}');
    expect(r.status).toBe(409);
    expect(r.message()).toBe('out of order sample: 4 samples rejected, first: {__name__="a"}');
    r.add('head_series_limit', () => '{__name__="c"}');
    expect(r.status).toBe(429);
  });
});
