import type { Labels } from '../labels';

const encoder = new TextEncoder();

/**
 * The canonical bytes of a label set: `name 0xff value 0xff ...` (the byte layout
 * Prometheus hashes). Two label sets are equal exactly when their keys are.
 */
export function labelsKey(labels: Labels): Uint8Array {
  const parts = labels.flatMap((l) => [encoder.encode(l.name), encoder.encode(l.value)]);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
    out[pos++] = 0xff;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
