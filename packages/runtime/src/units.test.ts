import { describe, expect, it } from 'vitest';
import { parseBytes, parseDuration } from './units';

describe('parseDuration', () => {
  it('reads Prometheus and Go durations into milliseconds', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1y')).toBe(365 * 86_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250us')).toBe(0.25);
    expect(parseDuration(' 5m ')).toBe(300_000);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', '5', 'm', '1x', '1h 30m', '-1h', 'forever']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('parseBytes', () => {
  it('reads base-2 sizes as Thanos flags do', () => {
    expect(parseBytes('250MB')).toBe(250 * 2 ** 20);
    expect(parseBytes('1GiB')).toBe(2 ** 30);
    expect(parseBytes('512kb')).toBe(512 * 1024);
    expect(parseBytes('1.5KB')).toBe(1536);
    expect(parseBytes('1048576')).toBe(1048576);
    expect(parseBytes('100B')).toBe(100);
    expect(parseBytes('2PB')).toBe(2 * 2 ** 50);
  });

  it('refuses what is not a size', () => {
    for (const bad of ['', 'lots', '10XB', '1Gi', 'MB', '-1MB']) expect(parseBytes(bad)).toBeUndefined();
  });
});
