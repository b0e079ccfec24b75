import { describe, expect, it } from 'vitest';
import { compareLabels, compareStrings, goQuote, labelsFromRecord, labelsToString } from './index';

describe('labels', () => {
  it('orders strings by UTF-8 bytes, not UTF-16 units', () => {
    expect(compareStrings('A_upper', '__name__')).toBeLessThan(0);
    // U+FF21 (3 UTF-8 bytes EF BC A1) sorts before U+1F600 (4 bytes F0 ...).
    expect(compareStrings('\uff21', '\u{1f600}')).toBeLessThan(0);
    expect('\uff21' < '\u{1f600}').toBe(false);
    expect(compareStrings('ab', 'abc')).toBeLessThan(0);
  });

  it('compares label sets pairwise with prefixes first', () => {
    const a = labelsFromRecord({ __name__: 'up', job: 'a' });
    const b = labelsFromRecord({ __name__: 'up', job: 'a', x: '1' });
    const c = labelsFromRecord({ __name__: 'up', job: 'b' });
    expect(compareLabels(a, b)).toBeLessThan(0);
    expect(compareLabels(b, c)).toBeLessThan(0);
    expect(compareLabels(c, c)).toBe(0);
  });

  it('prints like Prometheus with Go quoting', () => {
    expect(labelsToString(labelsFromRecord({ job: 'a"b', __name__: 'x', z: 'tab\there ✓' }))).toBe(
      '{__name__="x", job="a\\"b", z="tab\\there ✓"}',
    );
    expect(goQuote('\u0001\u007f')).toBe('"\\x01\\x7f"');
  });
});
