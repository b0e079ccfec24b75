import { describe, expect, it } from 'vitest';
import { FlagValueError, parseTimeOrDuration } from './units';

describe('parseTimeOrDuration', () => {
  const now = Date.UTC(2024, 0, 15);

  it('reads RFC3339 times', () => {
    expect(parseTimeOrDuration('2023-01-01T00:00:00Z', now)).toBe(Date.UTC(2023, 0, 1));
    expect(parseTimeOrDuration('2023-01-01T02:00:00+02:00', now)).toBe(Date.UTC(2023, 0, 1));
  });

  it('reads durations relative to now', () => {
    expect(parseTimeOrDuration('-2w', now)).toBe(now - 14 * 86_400_000);
    expect(parseTimeOrDuration('-1d12h', now)).toBe(now - 36 * 3_600_000);
    expect(parseTimeOrDuration('30m', now)).toBe(now + 1_800_000);
  });

  it('maps the Thanos defaults to the int64 sentinels', () => {
    expect(parseTimeOrDuration('0000-01-01T00:00:00Z', now)).toBe(Number.MIN_SAFE_INTEGER);
    expect(parseTimeOrDuration('9999-12-31T23:59:59Z', now)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects anything else', () => {
    expect(() => parseTimeOrDuration('yesterday', now)).toThrow(FlagValueError);
    expect(() => parseTimeOrDuration('-2x', now)).toThrow(/duration/);
  });
});
