// Prometheus relabelling of block external labels, which is how Thanos shards blocks
// between store gateways (`--selector.relabel-config`): a block whose labels are dropped
// by the rules is not served.
import { createHash } from 'node:crypto';
import { compileAnchoredRegex } from '@thanos-ts/storepb';
import { parse as parseYaml } from 'yaml';

export type RelabelAction = 'replace' | 'keep' | 'drop' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep';

const ACTIONS: readonly RelabelAction[] = ['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep'];

export interface RelabelRule {
  sourceLabels: string[];
  separator: string;
  regex: RegExp;
  modulus: number;
  targetLabel: string;
  replacement: string;
  action: RelabelAction;
}

export class RelabelConfigError extends Error {
  override readonly name = 'RelabelConfigError';
}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new RelabelConfigError(`${where}: source_labels must be a list of label names`);
  return v as string[];
}

/** Parses a YAML list of relabel rules with Prometheus's defaults (`regex: (.*)`, `action: replace`). */
export function parseRelabelConfig(text: string): RelabelRule[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new RelabelConfigError(`relabel config is not valid YAML: ${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new RelabelConfigError('relabel config must be a YAML list of rules');
  return raw.map((r: Record<string, unknown>, i) => {
    const where = `relabel rule ${i + 1}`;
    if (typeof r !== 'object' || r === null) throw new RelabelConfigError(`${where}: must be a mapping`);
    const action = String(r.action ?? 'replace').toLowerCase() as RelabelAction;
    if (!ACTIONS.includes(action)) {
      throw new RelabelConfigError(
        `${where}: unknown action ${JSON.stringify(r.action)} (want one of ${ACTIONS.join(', ')})`,
      );
    }
    let regex: RegExp;
    try {
      regex = compileAnchoredRegex(String(r.regex ?? '(.*)'));
    } catch (e) {
      throw new RelabelConfigError(`${where}: invalid regex: ${(e as Error).message}`);
    }
    const rule: RelabelRule = {
      sourceLabels: stringList(r.source_labels, where),
      separator: String(r.separator ?? ';'),
      regex,
      modulus: Number(r.modulus ?? 0),
      targetLabel: String(r.target_label ?? ''),
      replacement: String(r.replacement ?? '$1'),
      action,
    };
    if ((action === 'replace' || action === 'hashmod') && rule.targetLabel === '')
      throw new RelabelConfigError(`${where}: action ${action} needs target_label`);
    if (action === 'hashmod' && !(rule.modulus > 0))
      throw new RelabelConfigError(`${where}: action hashmod needs a positive modulus`);
    return rule;
  });
}

/** Go's `${1}` / `${name}` expansion in JS `String.replace` syntax. */
function jsReplacement(template: string): string {
  return template.replace(/\$\{(\d+)\}/g, '$$$1').replace(/\$\{(\w+)\}/g, '$$<$1>');
}

/** Prometheus's hashmod: the low 64 bits of the MD5 of the value, modulo `modulus`. */
function hashmod(value: string, modulus: number): number {
  const digest = createHash('md5').update(value).digest();
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}

/**
 * Applies the rules to a label map; undefined when a rule drops the whole set
 * (`keep` without a match, `drop` with one, or no labels left).
 */
export function relabel(
  labels: Record<string, string>,
  rules: readonly RelabelRule[],
): Record<string, string> | undefined {
  let ls: Record<string, string> = { ...labels };
  for (const rule of rules) {
    const value = rule.sourceLabels.map((n) => ls[n] ?? '').join(rule.separator);
    switch (rule.action) {
      case 'keep':
        if (!rule.regex.test(value)) return undefined;
        break;
      case 'drop':
        if (rule.regex.test(value)) return undefined;
        break;
      case 'replace': {
        const m = rule.regex.exec(value);
        if (!m) break;
        const target = value.replace(rule.regex, jsReplacement(rule.targetLabel));
        const replaced = value.replace(rule.regex, jsReplacement(rule.replacement));
        if (replaced === '') delete ls[target];
        else ls[target] = replaced;
        break;
      }
      case 'hashmod':
        ls[rule.targetLabel] = String(hashmod(value, rule.modulus));
        break;
      case 'labelmap': {
        const out: Record<string, string> = {};
        for (const [name, v] of Object.entries(ls)) {
          out[name] = v;
          if (rule.regex.test(name)) out[name.replace(rule.regex, jsReplacement(rule.replacement))] = v;
        }
        ls = out;
        break;
      }
      case 'labeldrop':
        for (const name of Object.keys(ls)) if (rule.regex.test(name)) delete ls[name];
        break;
      case 'labelkeep':
        for (const name of Object.keys(ls)) if (!rule.regex.test(name)) delete ls[name];
        break;
    }
  }
  return Object.keys(ls).length === 0 ? undefined : ls;
}
