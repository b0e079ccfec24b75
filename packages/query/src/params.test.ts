import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { parseBoolParam, parseDurationParam, parseTimeParam } from './params';

describe('request parameters', () => {
  it('reads times as unix seconds (rounded to ms) or RFC3339 with any offset', () => {
    expect(parseTimeParam('time', '1700000000')).toBe(1_700_000_000_000);
    expect(parseTimeParam('time', '1700000000.1234')).toBe(1_700_000_000_123);
    expect(parseTimeParam('time', '1e9')).toBe(1_000_000_000_000);
    expect(parseTimeParam('time', '2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    expect(parseTimeParam('time', '2023-11-14T23:13:20.5+01:00')).toBe(1_700_000_000_500);
  });

  it('refuses other time formats as bad_data naming the parameter', () => {
    for (const bad of ['now', '2023-11-14', '2023-11-14 22:13:20Z', '']) {
      const err = (() => {
        try {
          parseTimeParam('start', bad);
        } catch (e) {
          return e as ApiError;
        }
      })();
      expect(err).toBeInstanceOf(ApiError);
      expect(err?.type).toBe('bad_data');
      expect(err?.message).toBe(`invalid parameter "start": cannot parse ${JSON.stringify(bad)} to a valid timestamp`);
    }
  });

  it('reads durations as seconds or Prometheus duration strings', () => {
    expect(parseDurationParam('step', '15')).toBe(15_000);
    expect(parseDurationParam('step', '0.5')).toBe(500);
    expect(parseDurationParam('step', '1m30s')).toBe(90_000);
    expect(() => parseDurationParam('step', '15 s')).toThrow('invalid parameter "step"');
  });

  it("reads booleans as Go's strconv.ParseBool", () => {
    expect(parseBoolParam('dedup', 'F', true)).toBe(false);
    expect(parseBoolParam('dedup', 'True', false)).toBe(true);
    expect(parseBoolParam('dedup', null, true)).toBe(true);
    expect(() => parseBoolParam('dedup', 'yes', true)).toThrow('invalid parameter "dedup"');
  });
});
