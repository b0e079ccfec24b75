/** One label pair. A label set is a `Labels` array sorted by name (byte-wise UTF-8), names unique. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';

/**
 * Compares two strings in UTF-8 byte order, as Go does. JS `<` compares UTF-16 code
 * units, which disagrees with UTF-8 when a surrogate pair (U+10000 and up) meets a
 * BMP character from U+E000 to U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (0xD800-0xDFFF) encode code points above every BMP character.
      const xs = x <= 0xdfff;
      const ys = y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Orders label sets like Prometheus's `labels.Compare`: pairwise by name then value; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i].name, b[i].name) || compareStrings(a[i].value, b[i].value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function sortLabels(ls: Label[]): Label[] {
  return ls.sort((x, y) => compareStrings(x.name, y.name));
}

/** Builds sorted labels from an object, e.g. `labelsFromRecord({__name__: 'up', job: 'x'})`. */
export function labelsFromRecord(rec: Record<string, string>): Labels {
  return sortLabels(Object.entries(rec).map(([name, value]) => ({ name, value })));
}

export function getLabel(ls: Labels, name: string): string | undefined {
  for (const l of ls) if (l.name === name) return l.value;
  return undefined;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  return true;
}

/** Go `strconv.Quote` for label values: what Prometheus prints in `{a="b"}`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp === 0x07) out += '\\a';
    else if (cp === 0x08) out += '\\b';
    else if (cp === 0x0c) out += '\\f';
    else if (cp === 0x0a) out += '\\n';
    else if (cp === 0x0d) out += '\\r';
    else if (cp === 0x09) out += '\\t';
    else if (cp === 0x0b) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else if (!isGoPrintable(cp))
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** An approximation of Go's `unicode.IsPrint` good for label values: control and format characters are escaped. */
function isGoPrintable(cp: number): boolean {
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if (cp >= 0x2028 && cp <= 0x2029) return false;
  if (cp >= 0x200b && cp <= 0x200f) return false;
  if (cp >= 0x202a && cp <= 0x202e) return false;
  if (cp >= 0x2060 && cp <= 0x206f) return false;
  if (cp === 0xfeff) return false;
  if (cp >= 0xfff9 && cp <= 0xfffb) return false;
  return true;
}

/** Prometheus's `labels.String()`: `{a="1", b="2"}`. */
export function labelsToString(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${goQuote(l.value)}`).join(', ') + '}';
}
