// Builds the `thanos.WriteRequest` a router forwards to a peer, straight from the bytes of the
// received remote-write request: each TimeSeries message is copied verbatim (Prometheus and
// Thanos share its field numbers), except that a series that carried the split-tenant label
// gets its labels re-written without it.
import type { WriteRequestView } from '@thanos-ts/remote-write';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Series of one tenant to forward. */
export interface TenantSeries {
  tenant: string;
  series: ArrayLike<number>;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function lenFieldSize(n: number): number {
  return 1 + varintSize(n) + n;
}

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** Reads one varint of `buf` at `pos`; returns [value, next position]. */
function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    value += (b & 0x7f) * mul;
    if (b < 0x80) return [value, pos];
    mul *= 128;
  }
}

/** End of the field whose value starts at `pos` (after the tag). The view was validated on decode. */
function skipField(buf: Uint8Array, pos: number, wire: number): number {
  if (wire === WIRE_VARINT) return readVarint(buf, pos)[1];
  if (wire === WIRE_FIXED64) return pos + 8;
  if (wire === WIRE_FIXED32) return pos + 4;
  const [len, start] = readVarint(buf, pos);
  return start + len;
}

/** Size of one label's Label message (name field 1, value field 2). */
function labelMessageSize(refs: Uint32Array, l: number): number {
  const nameLen = refs[4 * l + 1] - refs[4 * l];
  const valueLen = refs[4 * l + 3] - refs[4 * l + 2];
  return (nameLen > 0 ? lenFieldSize(nameLen) : 0) + (valueLen > 0 ? lenFieldSize(valueLen) : 0);
}

/**
 * Where series `s`'s TimeSeries field (tag and length included) starts in the request, when
 * its tag and length are encoded as we would encode them (then the field can be copied as a
 * whole); -1 otherwise. A longer length varint would put a continuation byte (>= 0x80), not
 * the tag, where the minimal encoding expects the tag.
 */
function fieldStart(view: WriteRequestView, s: number): number {
  const start = view.seriesByteRange[2 * s];
  const header = 1 + varintSize(view.seriesByteRange[2 * s + 1] - start);
  return start >= header && view.buffer[start - header] === ((1 << 3) | WIRE_LEN) ? start - header : -1;
}

/**
 * Writes the series `series[from]`, `series[from + 1]`... that follow one another in the
 * request and are forwarded as sent, with one copy; returns how many it wrote (0: series
 * `series[from]` needs writing on its own).
 */
function writeRun(
  w: Writer,
  view: WriteRequestView,
  series: ArrayLike<number>,
  from: number,
  skipLabel: Int32Array | undefined,
): number {
  const first = series[from];
  const start = skipLabel && skipLabel[first] >= 0 ? -1 : fieldStart(view, first);
  if (start < 0) return 0;
  let end = view.seriesByteRange[2 * first + 1];
  let k = from + 1;
  for (; k < series.length; k++) {
    const s = series[k];
    if ((skipLabel && skipLabel[s] >= 0) || fieldStart(view, s) !== end) break;
    end = view.seriesByteRange[2 * s + 1];
  }
  w.bytes(view.buffer.subarray(start, end));
  return k - from;
}

function writeSeries(w: Writer, view: WriteRequestView, s: number, skip: number, size: number): void {
  w.tag(1, WIRE_LEN);
  w.varint(size);
  if (skip < 0) {
    w.bytes(view.seriesBytes(s));
    return;
  }
  const buf = view.buffer;
  const refs = view.labelRefs;
  for (let l = view.seriesLabelStart[s], end = view.seriesLabelStart[s + 1]; l < end; l++) {
    if (l === skip) continue;
    w.tag(1, WIRE_LEN);
    w.varint(labelMessageSize(refs, l));
    for (let part = 0; part < 2; part++) {
      const from = refs[4 * l + 2 * part];
      const to = refs[4 * l + 2 * part + 1];
      if (to === from) continue;
      w.tag(part + 1, WIRE_LEN);
      w.varint(to - from);
      w.bytes(buf.subarray(from, to));
    }
  }
  // Everything but the labels (samples, exemplars, histograms) is copied as sent.
  let pos = view.seriesByteRange[2 * s];
  const end = view.seriesByteRange[2 * s + 1];
  while (pos < end) {
    const [tag, afterTag] = readVarint(buf, pos);
    const next = skipField(buf, afterTag, tag & 7);
    if (tag !== ((1 << 3) | WIRE_LEN)) w.bytes(buf.subarray(pos, next));
    pos = next;
  }
}

/**
 * Size of series `s` as forwarded: as sent, or re-measured without label `skip` (the sender's
 * label encoding may differ from ours, so the size is not just "sent minus one label").
 */
function forwardedSeriesSize(view: WriteRequestView, s: number, skip: number): number {
  if (skip < 0) return view.seriesByteRange[2 * s + 1] - view.seriesByteRange[2 * s];
  const buf = view.buffer;
  let size = 0;
  for (let l = view.seriesLabelStart[s], end = view.seriesLabelStart[s + 1]; l < end; l++) {
    if (l !== skip) size += lenFieldSize(labelMessageSize(view.labelRefs, l));
  }
  let pos = view.seriesByteRange[2 * s];
  const end = view.seriesByteRange[2 * s + 1];
  while (pos < end) {
    const [tag, afterTag] = readVarint(buf, pos);
    const next = skipField(buf, afterTag, tag & 7);
    if (tag !== ((1 << 3) | WIRE_LEN)) size += next - pos;
    pos = next;
  }
  return size;
}

const utf8 = new TextEncoder();

/**
 * Encodes `thanos.WriteRequest{replica, timeseries_tenant_data: [{timeseries, tenant}...]}`
 * for the given series of `view`; `skipLabel[s]` is the flat index of the split-tenant
 * label of series `s` (dropped from the forwarded series) or -1. The bytes go to a buffer
 * from `allocate`.
 */
export function encodeForwardRequest(
  view: WriteRequestView,
  groups: readonly TenantSeries[],
  skipLabel: Int32Array | undefined,
  replica: number,
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const tenants = groups.map((g) => utf8.encode(g.tenant));
  const seriesSizes = groups.map((g) => {
    const sizes = new Uint32Array(g.series.length);
    for (let i = 0; i < g.series.length; i++) {
      const s = g.series[i];
      sizes[i] = forwardedSeriesSize(view, s, skipLabel ? skipLabel[s] : -1);
    }
    return sizes;
  });
  const tupleSizes = groups.map((g, i) => {
    let size = tenants[i].length > 0 ? lenFieldSize(tenants[i].length) : 0;
    for (const n of seriesSizes[i]) size += lenFieldSize(n);
    return size;
  });
  let total = replica !== 0 ? 1 + varintSize(replica) : 0;
  for (const n of tupleSizes) total += lenFieldSize(n);

  const w = new Writer(allocate(total));
  if (replica !== 0) {
    w.tag(3, WIRE_VARINT);
    w.varint(replica);
  }
  groups.forEach((g, i) => {
    w.tag(4, WIRE_LEN);
    w.varint(tupleSizes[i]);
    for (let k = 0; k < g.series.length;) {
      const copied = writeRun(w, view, g.series, k, skipLabel);
      if (copied > 0) {
        k += copied;
        continue;
      }
      const s = g.series[k];
      writeSeries(w, view, s, skipLabel ? skipLabel[s] : -1, seriesSizes[i][k]);
      k++;
    }
    if (tenants[i].length > 0) {
      w.tag(2, WIRE_LEN);
      w.varint(tenants[i].length);
      w.bytes(tenants[i]);
    }
  });
  if (w.pos !== total) throw new Error(`forward request encoder wrote ${w.pos} of ${total} bytes`);
  return w.buf;
}
