import xxhash from 'xxhash-wasm';
import type { Label } from './types';

/** Byte between tenant, label names and values in the series hash input (never valid UTF-8). */
const SEPARATOR = 0xff;
const INITIAL_CAPACITY = 1024;
/** Room after the input that `hashLabelRanges`' 8-byte copies may write into. */
const COPY_SLACK = 8;

/**
 * XXH64 (seed 0) of a series: `tenant 0xFF (name 0xFF value 0xFF)*`, labels in the order
 * given, the same bytes as Thanos `labelpb.HashWithPrefix`. One instance reuses one input
 * buffer, so it is not re-entrant: use it from one call at a time (JS is single-threaded;
 * just do not interleave `begin`…`digest` sequences).
 */
export interface SeriesHasher {
  hash(tenant: string, labels: readonly Label[]): bigint;
  /** XXH64 of the UTF-8 bytes of `s` (ketama virtual points). */
  hashString(s: string): bigint;
  /** Incremental form of `hash` for label sources that are not `Label` arrays. */
  begin(tenant: string): void;
  addLabel(name: string, value: string): void;
  digest(): bigint;
  /**
   * `hash` of a series whose labels are byte ranges of `src` (a decoded request's label table:
   * `refs[4l..4l+3]` = name start, name end, value start, value end of label `l`), for labels
   * `first` to `end - 1` except `skip` (-1: none). `srcWords` views the same bytes as `src`.
   */
  hashLabelRanges(
    tenant: string,
    src: Uint8Array,
    srcWords: DataView,
    refs: Uint32Array,
    first: number,
    end: number,
    skip: number,
  ): bigint;
}

/** Loads the xxhash WebAssembly module once; hashing is synchronous afterwards. */
export async function createSeriesHasher(): Promise<SeriesHasher> {
  const api = await xxhash();
  return new WasmSeriesHasher(api.h64Raw);
}

type H64Raw = (input: Uint8Array, seed?: bigint) => bigint;

const utf8 = new TextEncoder();

class WasmSeriesHasher implements SeriesHasher {
  private buf = new Uint8Array(INITIAL_CAPACITY);
  private words = new DataView(this.buf.buffer);
  private len = 0;
  /**
   * Views of the buffer's first n bytes by n: h64Raw needs an exact-length array, and making
   * one per series (a `subarray`) cost as much as the hashing itself.
   */
  private prefixes: Uint8Array[] = [];
  private tenant = '';
  private tenantBytes = new Uint8Array(0);

  constructor(private readonly h64Raw: H64Raw) {}

  hash(tenant: string, labels: readonly Label[]): bigint {
    this.begin(tenant);
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      this.addLabel(label.name, label.value);
    }
    return this.digest();
  }

  hashString(s: string): bigint {
    this.len = 0;
    this.putString(s);
    return this.digest();
  }

  begin(tenant: string): void {
    this.len = 0;
    this.putString(tenant);
    this.putSeparator();
  }

  addLabel(name: string, value: string): void {
    this.putString(name);
    this.putSeparator();
    this.putString(value);
    this.putSeparator();
  }

  digest(): bigint {
    const n = this.len;
    return this.h64Raw((this.prefixes[n] ??= this.buf.subarray(0, n)));
  }

  hashLabelRanges(
    tenant: string,
    src: Uint8Array,
    srcWords: DataView,
    refs: Uint32Array,
    first: number,
    end: number,
    skip: number,
  ): bigint {
    if (tenant !== this.tenant) {
      this.tenant = tenant;
      this.tenantBytes = utf8.encode(tenant);
    }
    const tenantBytes = this.tenantBytes;
    this.len = 0;
    this.reserve(tenantBytes.length + 1 + COPY_SLACK);
    let out = this.buf;
    let outWords = this.words;
    let p = 0;
    for (let i = 0; i < tenantBytes.length; i++) out[p++] = tenantBytes[i];
    out[p++] = SEPARATOR;
    // Strings are copied 8 bytes at a time, the last step running up to 7 bytes past the
    // string's end (bytes that what follows overwrites, or that lie beyond the input's
    // length); only a string ending within 8 bytes of the end of `src` goes byte by byte.
    const wordsEnd = src.length - 8;
    for (let i = 4 * first, stop = 4 * end; i < stop; i += 2) {
      if (i >> 2 === skip) continue;
      let k = refs[i];
      const e = refs[i + 1];
      if (p + (e - k) + 1 + COPY_SLACK > out.length) {
        this.len = p;
        this.reserve(e - k + 1 + COPY_SLACK);
        out = this.buf;
        outWords = this.words;
      }
      if (e <= wordsEnd) {
        for (let q = p; k < e; k += 8, q += 8) {
          outWords.setInt32(q, srcWords.getInt32(k, true), true);
          outWords.setInt32(q + 4, srcWords.getInt32(k + 4, true), true);
        }
        p += e - refs[i];
      } else {
        while (k < e) out[p++] = src[k++];
      }
      out[p++] = SEPARATOR;
    }
    this.len = p;
    return this.digest();
  }

  private putSeparator(): void {
    this.reserve(1);
    this.buf[this.len++] = SEPARATOR;
  }

  /**
   * Label strings are nearly always ASCII: copying char codes directly is faster for short
   * strings than `encodeInto` and allocates nothing; the first non-ASCII char hands the rest
   * of the string to `encodeInto`.
   */
  private putString(s: string): void {
    const n = s.length;
    this.reserve(n * 3);
    const buf = this.buf;
    let pos = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        pos += utf8.encodeInto(i === 0 ? s : s.slice(i), buf.subarray(pos)).written;
        break;
      }
      buf[pos++] = c;
    }
    this.len = pos;
  }

  private reserve(extra: number): void {
    const needed = this.len + extra;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
    this.words = new DataView(grown.buffer);
    this.prefixes = [];
  }
}
