import { describe, expect, it } from 'vitest';
import { parseRelabelConfig, relabel, RelabelConfigError } from './relabel';

describe('relabel', () => {
  const labels = { a: 'foo', b: 'bar', c: 'baz' };

  it('keeps and drops whole label sets on anchored regex matches', () => {
    const keep = parseRelabelConfig('- action: keep\n  source_labels: [a, b]\n  regex: "foo;ba."\n');
    expect(relabel(labels, keep)).toEqual(labels);
    const keepPartial = parseRelabelConfig('- action: keep\n  source_labels: [a]\n  regex: fo\n');
    expect(relabel(labels, keepPartial)).toBeUndefined();
    const drop = parseRelabelConfig('- action: drop\n  source_labels: [c]\n  regex: "baz|qux"\n');
    expect(relabel(labels, drop)).toBeUndefined();
  });

  it('computes hashmod as Prometheus does (md5, low 64 bits)', () => {
    const rules = parseRelabelConfig('- action: hashmod\n  source_labels: [c]\n  modulus: 1000\n  target_label: d\n');
    expect(relabel(labels, rules)).toEqual({ ...labels, d: '976' });
  });

  it('shards with hashmod then keep', () => {
    const shard = (n: number) =>
      parseRelabelConfig(
        `- action: hashmod\n  source_labels: [__block_id]\n  modulus: 2\n  target_label: shard\n- action: keep\n  source_labels: [shard]\n  regex: "${n}"\n`,
      );
    const ids = Array.from({ length: 20 }, (_, i) => `block-${i}`);
    const kept0 = ids.filter((id) => relabel({ __block_id: id }, shard(0)));
    const kept1 = ids.filter((id) => relabel({ __block_id: id }, shard(1)));
    expect(kept0.length + kept1.length).toBe(ids.length);
    expect(kept0.length).toBeGreaterThan(0);
    expect(kept1.length).toBeGreaterThan(0);
  });

  it('replaces with capture groups, and drops labels with labeldrop', () => {
    const rules = parseRelabelConfig(
      '- source_labels: [a]\n  regex: "f(o+)"\n  target_label: x\n  replacement: "got-${1}"\n- action: labeldrop\n  regex: "[bc]"\n',
    );
    expect(relabel(labels, rules)).toEqual({ a: 'foo', x: 'got-oo' });
  });

  it('rejects invalid configs with the rule number', () => {
    expect(() => parseRelabelConfig('- action: shuffle\n')).toThrow(RelabelConfigError);
    expect(() => parseRelabelConfig('- action: hashmod\n  target_label: x\n')).toThrow(/rule 1: .*modulus/);
    expect(() => parseRelabelConfig('a: b\n')).toThrow(/list/);
  });
});
