import type { Label, Labels } from '../labels';

const encoder = new TextEncoder();
/** Where keys are assembled before being copied out at their exact size; grows to the largest key seen. */
let scratch = new Uint8Array(1024);

/** The separator after every name and value in a key; never part of valid UTF-8. */
export const KEY_SEPARATOR = 0xff;
const SEP = KEY_SEPARATOR;

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
    scratch[pos++] = SEP;
    pos += encoder.encodeInto(l.value, scratch.subarray(pos)).written;
    scratch[pos++] = SEP;
  }
  return scratch.slice(0, pos);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/*
 * The head's series hash: a MurmurHash3-style mix of every name and value, 4 bytes at a time, each string's
 * tail word carrying its length (so that string boundaries count). It is defined per string rather than
 * over the key's bytes so that it gives the same value for a contiguous key (`hashKey`) and for labels
 * scattered in a request buffer (`hashLabelRanges`), which is hashed in place without assembling its key.
 * It only places series in the head's lookup table and is never persisted.
 */

function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixString(h: number, b: Uint8Array, start: number, end: number): number {
  let i = start;
  for (; i + 4 <= end; i += 4) h = mixWord(h, b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  let tail = (end - start) << 24;
  for (let shift = 0; i < end; i++, shift += 8) tail ^= b[i] << shift;
  return mixWord(h, tail);
}

/** A non-negative small integer (a V8 Smi even with pointer compression: cheap as a Map key). */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** The head hash of a canonical key (see {@link labelsKey}). */
export function hashKey(key: Uint8Array): number {
  let h = 0;
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== SEP) continue;
    h = mixString(h, key, start, i);
    start = i + 1;
  }
  return finish(h);
}

/**
 * Labels as byte ranges of a buffer, the layout of a decoded remote-write request: label `l` has its name at
 * `bytes[refs[4l] .. refs[4l+1])` and its value at `bytes[refs[4l+2] .. refs[4l+3])`. A series is the labels
 * `from .. to-1`, minus label `skip` (-1: none), already in canonical order.
 */
export interface LabelRanges {
  bytes: Uint8Array;
  refs: Uint32Array;
  from: number;
  to: number;
  skip: number;
}

/** The head hash of labels given as ranges: equal to `hashKey` of their key. */
export function hashLabelRanges(r: LabelRanges): number {
  const { bytes, refs, skip } = r;
  let h = 0;
  for (let l = r.from; l < r.to; l++) {
    if (l === skip) continue;
    h = mixString(h, bytes, refs[4 * l], refs[4 * l + 1]);
    h = mixString(h, bytes, refs[4 * l + 2], refs[4 * l + 3]);
  }
  return finish(h);
}

/** Whether `key` is the key of the labels given as ranges, compared without assembling that key. */
export function keyEqualsLabelRanges(key: Uint8Array, r: LabelRanges): boolean {
  const { bytes, refs, skip } = r;
  let pos = 0;
  for (let l = r.from; l < r.to; l++) {
    if (l === skip) continue;
    pos = matchString(key, pos, bytes, refs[4 * l], refs[4 * l + 1]);
    if (pos < 0) return false;
    pos = matchString(key, pos, bytes, refs[4 * l + 2], refs[4 * l + 3]);
    if (pos < 0) return false;
  }
  return pos === key.length;
}

/** Position after `bytes[start..end) 0xff` when `key` holds exactly that at `pos`, else -1. */
function matchString(key: Uint8Array, pos: number, bytes: Uint8Array, start: number, end: number): number {
  const after = pos + (end - start);
  if (after >= key.length || key[after] !== SEP) return -1;
  for (let i = start; i < end; i++, pos++) if (key[pos] !== bytes[i]) return -1;
  return after + 1;
}

/** The key of labels given as ranges: a view of a scratch buffer, valid until the next call (`Head.create` copies it). */
export function labelRangesKey(r: LabelRanges): Uint8Array {
  const { bytes, refs, skip } = r;
  let size = 0;
  for (let l = r.from; l < r.to; l++) {
    if (l !== skip) size += refs[4 * l + 1] - refs[4 * l] + refs[4 * l + 3] - refs[4 * l + 2] + 2;
  }
  if (size > scratch.length) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  const key = scratch.subarray(0, size);
  let pos = 0;
  for (let l = r.from; l < r.to; l++) {
    if (l === skip) continue;
    key.set(bytes.subarray(refs[4 * l], refs[4 * l + 1]), pos);
    pos += refs[4 * l + 1] - refs[4 * l];
    key[pos++] = SEP;
    key.set(bytes.subarray(refs[4 * l + 2], refs[4 * l + 3]), pos);
    pos += refs[4 * l + 3] - refs[4 * l + 2];
    key[pos++] = SEP;
  }
  return key;
}

const KEY_SLAB_SIZE = 16 << 10;

/**
 * Where the head keeps its series keys: views into shared 16 KiB slabs instead of an array per key, each
 * of which would carry its own ArrayBuffer and native backing store (a few hundred bytes beyond the key,
 * and work for every garbage collection). A slab stays allocated while any key in it is alive; keys
 * larger than an eighth of a slab get their own array.
 */
export class KeyArena {
  private slab = new Uint8Array(0);
  private used = 0;

  /** A copy of `key` that lives as long as the returned view. */
  copy(key: Uint8Array): Uint8Array {
    const n = key.length;
    if (n > KEY_SLAB_SIZE / 8) return key.slice();
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(KEY_SLAB_SIZE);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    out.set(key);
    this.used += n;
    return out;
  }
}

/**
 * Label strings decoded from bytes, shared between series: most label values (job, namespace, container,
 * ...) and every label name recur across series, and decoding each occurrence into its own string costs a
 * native call, garbage and memory for as long as the series lives. A direct-mapped cache keyed by a hash
 * of the bytes returns the string decoded before when its characters match; a miss decodes and takes the
 * slot. Bounded (old entries are simply overwritten), so unique values cannot grow it.
 */
const STRING_SLOTS = 1 << 14;
const stringSlots: string[] = new Array<string>(STRING_SLOTS).fill('');
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string })
  .utf8Slice;
/** Longer strings are rarely shared (ids, URLs) and are decoded without the cache. */
const MAX_SHARED_LENGTH = 64;

/**
 * The UTF-8 string `bytes[start..end)` (invalid sequences become U+FFFD), the same string instance as an
 * earlier call for the same bytes when the cache still holds it.
 */
export function labelString(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n > MAX_SHARED_LENGTH) return utf8Slice.call(bytes, start, end);
  const slot = finish(mixString(0, bytes, start, end)) & (STRING_SLOTS - 1);
  const cached = stringSlots[slot];
  // n ASCII bytes equal to the n UTF-16 units of the cached string: it is their decoding
  if (cached.length === n) {
    let i = 0;
    for (; i < n; i++) {
      const b = bytes[start + i];
      if (b >= 0x80 || cached.charCodeAt(i) !== b) break;
    }
    if (i === n) return cached;
  }
  const s = utf8Slice.call(bytes, start, end);
  if (s.length === n) stringSlots[slot] = s;
  return s;
}

/** The labels given as ranges, decoded (see {@link labelString}). */
export function labelsFromRanges(r: LabelRanges): Label[] {
  const { bytes, refs, skip } = r;
  const out: Label[] = [];
  for (let l = r.from; l < r.to; l++) {
    if (l === skip) continue;
    out.push({
      name: labelString(bytes, refs[4 * l], refs[4 * l + 1]),
      value: labelString(bytes, refs[4 * l + 2], refs[4 * l + 3]),
    });
  }
  return out;
}
