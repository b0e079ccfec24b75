// Label-set ordering as Prometheus defines it (labels.Compare): label by label, name
// then value, compared as UTF-8 bytes; a prefix sorts first.
import type { Label } from '../types';

/** Compares two strings by their UTF-8 bytes (JS `<` compares UTF-16 code units). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (U+D800..DFFF, i.e. code points >= U+10000) must sort after U+E000..FFFF.
    if (ca >= 0xd800 && cb >= 0xd800) {
      ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
      cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

export function compareLabels(a: Label[], b: Label[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const byName = compareUtf8(a[i].name, b[i].name);
    if (byName !== 0) return byName;
    const byValue = compareUtf8(a[i].value, b[i].value);
    if (byValue !== 0) return byValue;
  }
  return a.length - b.length;
}

export function labelsEqual(a: Label[], b: Label[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  }
  return true;
}

/** A copy sorted by name. */
export function sortLabels(labels: Label[]): Label[] {
  return [...labels].sort((x, y) => compareUtf8(x.name, y.name));
}

/** Value of `name`, or '' when absent (Prometheus treats both alike). */
export function labelValue(labels: Label[], name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}
