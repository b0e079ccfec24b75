import xxhashWasm from 'xxhash-wasm';
import type { Label, WriteRequestView } from './write-request-view';

// xxhash-wasm was measured over 100x faster than xxhashjs for label-set-sized inputs (bench/README.md).
const xxhash = await xxhashWasm();

const SEP = 0xff;
const utf8Encoder = new TextEncoder();

/** XXH64 with seed 0 as an unsigned 64-bit bigint (what Go's `xxhash.Sum64` returns). */
export function xxhash64(bytes: Uint8Array): bigint {
  return xxhash.h64Raw(bytes, 0n);
}

/** A reusable byte buffer for assembling hash inputs without allocating per series. */
class HashInput {
  buf = new Uint8Array(1024);
  words = new DataView(this.buf.buffer);
  len = 0;
  // views of buf's first n bytes by n: h64Raw needs an exact-length array, and allocating one per hash
  // costs about as much as hashing
  private prefixes: Uint8Array[] = [];
  private tenant = '';
  private tenantBytes = new Uint8Array(0);

  reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.words = new DataView(next.buffer);
    this.prefixes = [];
  }

  /** Appends the UTF-8 bytes of `s` and a 0xff separator. */
  string(s: string): void {
    this.reserve(3 * s.length + 1);
    this.len += utf8Encoder.encodeInto(s, this.buf.subarray(this.len)).written;
    this.buf[this.len++] = SEP;
  }

  /** Appends the tenant and a separator, encoding the tenant only when it changed since the last call. */
  tenantPrefix(tenant: string): void {
    if (tenant !== this.tenant) {
      this.tenant = tenant;
      this.tenantBytes = utf8Encoder.encode(tenant);
    }
    this.reserve(this.tenantBytes.length + 1);
    this.buf.set(this.tenantBytes, this.len);
    this.len += this.tenantBytes.length;
    this.buf[this.len++] = SEP;
  }

  labels(labels: readonly Label[]): void {
    for (const l of labels) {
      this.string(l.name);
      this.string(l.value);
    }
  }

  digest(): bigint {
    const n = this.len;
    const input = (this.prefixes[n] ??= this.buf.subarray(0, n));
    return xxhash.h64Raw(input, 0n);
  }
}

const scratch = new HashInput();

/**
 * Prometheus' `labels.Hash`: XXH64 of `name 0xff value 0xff` for each label, in the given order
 * (Prometheus hashes sorted label sets; sort first if the order is not canonical). Returns the unsigned
 * 64-bit hash as a bigint.
 */
export function hashLabels(labels: readonly Label[]): bigint {
  scratch.len = 0;
  scratch.labels(labels);
  return scratch.digest();
}

/**
 * The exact bytes Thanos Receive hashes to place a series on the hashring (`HashWithPrefix`,
 * thanos.md §2.3): `tenant 0xff` then `name 0xff value 0xff` per label, in the order received.
 */
export function thanosSeriesHashInput(tenant: string, labels: readonly Label[]): Uint8Array {
  scratch.len = 0;
  scratch.tenantPrefix(tenant);
  scratch.labels(labels);
  return scratch.buf.slice(0, scratch.len);
}

/** XXH64 of {@link thanosSeriesHashInput}, the hashring key of a series, as an unsigned bigint. */
export function thanosSeriesHash(tenant: string, labels: readonly Label[]): bigint {
  scratch.len = 0;
  scratch.tenantPrefix(tenant);
  scratch.labels(labels);
  return scratch.digest();
}

/**
 * Hashes series `s` of a decoded request straight from its wire bytes, without decoding label strings.
 * Without `tenant` this is Prometheus' `labels.Hash` of the labels in received order; with `tenant` it is
 * Thanos' hashring key ({@link thanosSeriesHash}).
 */
export function hashViewSeries(view: WriteRequestView, s: number, tenant?: string): bigint {
  scratch.len = 0;
  if (tenant !== undefined) scratch.tenantPrefix(tenant);
  // label bytes plus one separator each fit in the series' own encoding (each label costs >= 2 bytes there)
  scratch.reserve(view.seriesByteRange[2 * s + 1] - view.seriesByteRange[2 * s]);
  const refs = view.labelRefs;
  const src = view.buffer;
  const srcWords = view.dataView;
  const out = scratch.buf;
  const outWords = scratch.words;
  let p = scratch.len;
  for (let i = 4 * view.seriesLabelStart[s], end = 4 * view.seriesLabelStart[s + 1]; i < end; i += 2) {
    // strings are short: copying 4 bytes at a time beats both byte loops and TypedArray.set here
    let k = refs[i];
    const e = refs[i + 1];
    for (; k + 4 <= e; k += 4, p += 4) outWords.setUint32(p, srcWords.getUint32(k));
    while (k < e) out[p++] = src[k++];
    out[p++] = SEP;
  }
  scratch.len = p;
  return scratch.digest();
}
