import type { Labels } from '../labels';

const encoder = new TextEncoder();
/** Where keys are assembled before being copied out at their exact size; grows to the largest key seen. */
let scratch = new Uint8Array(1024);

/**
 * The canonical bytes of a label set: `name 0xff value 0xff ...` (the byte layout
 * Prometheus hashes). Two label sets are equal exactly when their keys are.
 */
export function labelsKey(labels: Labels): Uint8Array {
  let pos = 0;
  for (const l of labels) {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit
    const need = pos + 3 * (l.name.length + l.value.length) + 2;
    if (need > scratch.length) {
      const next = new Uint8Array(Math.max(need, scratch.length * 2));
      next.set(scratch.subarray(0, pos));
      scratch = next;
    }
    pos += encoder.encodeInto(l.name, scratch.subarray(pos)).written;
    scratch[pos++] = 0xff;
    pos += encoder.encodeInto(l.value, scratch.subarray(pos)).written;
    scratch[pos++] = 0xff;
  }
  return scratch.slice(0, pos);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
