import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBucketState } from './bucket-state';
import { RetentionConfigError, isExpired, parseRetentionOverrides, retentionFor } from './retention';
import { testBucket, testCompactor, uploadSamplesBlock, type TestBucket } from './testing/bucket-fixtures';

const DAY = 86_400_000;
let tb: TestBucket;
afterEach(() => tb?.cleanup());

describe('retention overrides file', () => {
  const overrides = parseRetentionOverrides(`
overrides:
  - matchers: '{tenant_id="team-a"}'
    retention: { raw: 7d, 5m: 30d }
  - matchers: 'tenant_id=~"team-.*", env!="prod"'
    retention: { raw: 1d, 1h: 0d }
`);
  const global = { raw: 90 * DAY, fiveMinutes: 180 * DAY, oneHour: 365 * DAY };

  it('applies the first matching override per resolution and the global retention otherwise', () => {
    expect(retentionFor({ tenant_id: 'team-a' }, 0, global, overrides)).toBe(7 * DAY);
    expect(retentionFor({ tenant_id: 'team-a' }, 300_000, global, overrides)).toBe(30 * DAY);
    expect(retentionFor({ tenant_id: 'team-a' }, 3_600_000, global, overrides)).toBe(365 * DAY);
    expect(retentionFor({ tenant_id: 'team-b' }, 0, global, overrides)).toBe(1 * DAY);
    expect(retentionFor({ tenant_id: 'team-b' }, 3_600_000, global, overrides)).toBe(0);
    expect(retentionFor({ tenant_id: 'team-b', env: 'prod' }, 0, global, overrides)).toBe(90 * DAY);
  });

  it('rejects malformed files with the place of the error', () => {
    expect(() => parseRetentionOverrides('overrides: [{matchers: "{a=b}", retention: {raw: 1d}}]')).toThrow(/matchers/);
    expect(() => parseRetentionOverrides('overrides: [{matchers: \'{a="b"}\', retention: {raw: soon}}]')).toThrow(
      RetentionConfigError,
    );
    expect(() => parseRetentionOverrides('overrides: [{matchers: \'{a="b"}\', retention: {2h: 1d}}]')).toThrow(
      /unknown resolution/,
    );
  });

  it('expires a block once now passes maxTime (truncated to seconds) plus retention', () => {
    // maxTime 10.999s counts as 10s: expired just after 11s, not 11.999s.
    expect(isExpired(10_999, 1000, 11_001)).toBe(true);
    expect(isExpired(10_999, 1000, 11_000)).toBe(false);
    expect(isExpired(0, 0, 1e15)).toBe(false);
  });
});

describe('Compactor retention', () => {
  it('marks blocks past their (per-tenant) retention for deletion, re-reading the overrides file', async () => {
    tb = testBucket();
    const now = Date.now();
    const old = now - 10 * DAY;
    const series = { labels: { __name__: 'm' }, timestamps: [old, old + 60_000], values: [1, 2] };
    const a = await uploadSamplesBlock(tb, [series], { tenant_id: 'team-a' });
    const b = await uploadSamplesBlock(tb, [series], { tenant_id: 'team-b' });
    const file = join(tb.scratch, 'overrides.yaml');
    writeFileSync(file, `overrides:\n  - matchers: '{tenant_id="team-a"}'\n    retention: { raw: 7d }\n`);
    const c = testCompactor(tb, {
      downsampling: false,
      retention: { raw: 30 * DAY, fiveMinutes: 0, oneHour: 0 },
      retentionOverridesFile: file,
    });
    expect((await c.runIteration()).markedForDeletion).toBe(1);
    let state = await readBucketState(tb.bucket);
    expect(state.blocks.filter((x) => x.deletionTime !== undefined).map((x) => x.meta.ulid)).toEqual([a.ulid]);
    writeFileSync(file, `overrides:\n  - matchers: '{tenant_id=~"team-.*"}'\n    retention: { raw: 9d }\n`);
    expect((await c.runIteration()).markedForDeletion).toBe(1);
    state = await readBucketState(tb.bucket);
    expect(
      state.blocks
        .filter((x) => x.deletionTime !== undefined)
        .map((x) => x.meta.ulid)
        .sort(),
    ).toEqual([a.ulid, b.ulid].sort());
  });
});
