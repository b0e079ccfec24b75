import { describe, expect, it } from 'vitest';
import { exceeds, limitsFor, LimitsConfigError, parseLimitsConfig } from './limits';

describe('parseLimitsConfig', () => {
  const yaml = `
write:
  global:
    max_concurrency: 30
    meta_monitoring_url: "http://localhost:9090"
  default:
    request:
      size_bytes_limit: 1024
      series_limit: 1000
      samples_limit: 10
    head_series_limit: 1000
  tenants:
    acme:
      request: { size_bytes_limit: 0, series_limit: 0, samples_limit: 0 }
      head_series_limit: 2000
    partial:
      request: { series_limit: 5 }
`;

  it('reads the Thanos example with defaults inherited by tenants', () => {
    const l = parseLimitsConfig(yaml);
    expect(l.maxConcurrency).toBe(30);
    expect(limitsFor(l, 'other')).toEqual({
      request: { sizeBytesLimit: 1024, seriesLimit: 1000, samplesLimit: 10 },
      headSeriesLimit: 1000,
    });
    expect(limitsFor(l, 'acme').headSeriesLimit).toBe(2000);
    expect(limitsFor(l, 'acme').request.seriesLimit).toBe(0);
    expect(limitsFor(l, 'partial').request).toEqual({ sizeBytesLimit: 1024, seriesLimit: 5, samplesLimit: 10 });
  });

  it('treats zero and negative limits as unlimited', () => {
    expect(exceeds(0, 10 ** 9)).toBe(false);
    expect(exceeds(-1, 10 ** 9)).toBe(false);
    expect(exceeds(10, 11)).toBe(true);
    expect(exceeds(10, 10)).toBe(false);
  });

  it('names the field that is wrong', () => {
    expect(() => parseLimitsConfig('write:\n  default:\n    head_series_limt: 3\n')).toThrow(
      'write.default: unknown field "head_series_limt"',
    );
    expect(() => parseLimitsConfig('write:\n  default:\n    request:\n      series_limit: lots\n')).toThrow(
      'write.default.request.series_limit: expected an integer, got "lots"',
    );
    expect(() => parseLimitsConfig('write: [')).toThrow(LimitsConfigError);
  });
});
