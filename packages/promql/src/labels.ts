// Label sets as the engine sees them: an array of {name, value} pairs sorted by name,
// with no empty values (an empty value means "label absent", as in Prometheus).

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set sorted by name; treat as immutable. */
export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';
export const BUCKET_LABEL = 'le';

const SEP = '\xff';

export const EMPTY_LABELS: Labels = Object.freeze([]) as Labels;

/** Builds a sorted label set from a record, dropping empty values. */
export function labelsFromRecord(rec: Record<string, string>): Labels {
  return sortLabels(
    Object.entries(rec)
      .filter(([, v]) => v !== '')
      .map(([name, value]) => ({ name, value })),
  );
}

export function labelsToRecord(ls: Labels): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const l of ls) rec[l.name] = l.value;
  return rec;
}

export function sortLabels(ls: Label[]): Labels {
  return ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

// Label sets are immutable, so derived values are memoised per array: the engine sees the
// same arrays at every step of a range query.
const keyCache = new WeakMap<Labels, string>();
const withoutNameCache = new WeakMap<Labels, Labels>();

/** A string uniquely identifying the label set; usable as a Map key. */
export function labelsKey(ls: Labels): string {
  let s = keyCache.get(ls);
  if (s === undefined) {
    s = '';
    for (const l of ls) s += l.name + SEP + l.value + SEP;
    keyCache.set(ls, s);
  }
  return s;
}

/** Key over only the named labels (`on`) or over all but the named ones and `__name__` (`ignoring`). */
export function matchKey(ls: Labels, on: boolean, names: readonly string[]): string {
  let s = '';
  for (const l of ls) {
    const listed = names.includes(l.name);
    if (on ? listed : !listed && l.name !== METRIC_NAME) s += l.name + SEP + l.value + SEP;
  }
  return s;
}

/** The labels that `matchKey` hashes, as a label set (for error messages). */
export function matchLabels(ls: Labels, on: boolean, names: readonly string[]): Labels {
  return ls.filter((l) => {
    const listed = names.includes(l.name);
    return on ? listed : !listed && l.name !== METRIC_NAME;
  });
}

export function dropMetricName(ls: Labels): Labels {
  let out = withoutNameCache.get(ls);
  if (out === undefined) {
    out = ls;
    for (let i = 0; i < ls.length; i++) {
      if (ls[i].name === METRIC_NAME) out = [...ls.slice(0, i), ...ls.slice(i + 1)];
    }
    withoutNameCache.set(ls, out);
  }
  return out;
}

export function withoutLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => !names.includes(l.name));
}

export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

/** Returns a copy with `name` set to `value` (removed when `value` is empty). */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out = ls.filter((l) => l.name !== name);
  if (value !== '') out.push({ name, value });
  return sortLabels(out);
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  return true;
}

/** Prometheus's `Labels.String()`: `{a="b", c="d"}`. */
export function labelsToString(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}

/** `name{a="b"}` form used in exposition and test files. */
export function formatMetric(ls: Labels): string {
  const name = getLabel(ls, METRIC_NAME);
  const rest = ls.filter((l) => l.name !== METRIC_NAME);
  if (name !== '' && rest.length === 0) return name;
  return name + '{' + rest.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** Orders label sets like Prometheus's labels.Compare. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i].name !== b[i].name) return a[i].name < b[i].name ? -1 : 1;
    if (a[i].value !== b[i].value) return a[i].value < b[i].value ? -1 : 1;
  }
  return a.length - b.length;
}
