// Lays out records as fragments on 32 KiB pages, exactly as Prometheus's `WL.log` does.
// Byte-level only: the caller owns the file and decides when bytes are written.
import { compressSync } from 'snappy';
import { crc32c } from '../encoding';
import { FragmentType, MAX_FRAGMENT_DATA, PAGE_SIZE, RECORD_HEADER_SIZE, SNAPPY_FLAG } from './layout';

/**
 * Snappy-compresses a non-empty record when that makes it strictly shorter (Prometheus keeps the
 * raw record otherwise). Returns the bytes to store and whether they are compressed.
 */
export function maybeCompress(rec: Uint8Array): { data: Uint8Array; compressed: boolean } {
  if (rec.length === 0) return { data: rec, compressed: false };
  const c = compressSync(rec);
  return c.length < rec.length ? { data: c, compressed: true } : { data: rec, compressed: false };
}

/** Payload bytes a segment can still take for one record when `used` bytes of it are written. */
export function recordCapacity(used: number, segmentSize: number): number {
  const inPage = used % PAGE_SIZE;
  const pagesLeft = (segmentSize - (used - inPage)) / PAGE_SIZE;
  return PAGE_SIZE - inPage - RECORD_HEADER_SIZE + MAX_FRAGMENT_DATA * (pagesLeft - 1);
}

/** A growable byte buffer that fragments are laid out into; `length` bytes are pending. */
export class FragmentBuffer {
  bytes = new Uint8Array(PAGE_SIZE);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /**
   * Appends `data` as fragments, given that the segment's write position (counting everything
   * before this buffer's bytes) is `segmentOffset`. Returns the new segment offset. A page
   * with fewer than 7 bytes left is completed with zeros, as the reader expects.
   */
  appendRecord(data: Uint8Array, compressed: boolean, segmentOffset: number): number {
    const flag = compressed ? SNAPPY_FLAG : 0;
    let pos = 0;
    // One pass at least, so that an empty record becomes one empty Full fragment.
    for (let first = true; first || pos < data.length; first = false) {
      const room = PAGE_SIZE - (segmentOffset % PAGE_SIZE) - RECORD_HEADER_SIZE;
      const n = Math.min(data.length - pos, room);
      const last = pos + n === data.length;
      const type = first
        ? last
          ? FragmentType.Full
          : FragmentType.First
        : last
          ? FragmentType.Last
          : FragmentType.Middle;
      this.ensure(RECORD_HEADER_SIZE + n + RECORD_HEADER_SIZE);
      const b = this.bytes;
      let o = this.length;
      const crc = crc32c(data, pos, pos + n);
      b[o] = type | flag;
      b[o + 1] = n >>> 8;
      b[o + 2] = n & 0xff;
      b[o + 3] = crc >>> 24;
      b[o + 4] = (crc >>> 16) & 0xff;
      b[o + 5] = (crc >>> 8) & 0xff;
      b[o + 6] = crc & 0xff;
      o += RECORD_HEADER_SIZE;
      b.set(data.subarray(pos, pos + n), o);
      this.length = o + n;
      segmentOffset += RECORD_HEADER_SIZE + n;
      pos += n;
      const pageLeft = PAGE_SIZE - (segmentOffset % PAGE_SIZE);
      if (pageLeft < RECORD_HEADER_SIZE) segmentOffset = this.padPage(segmentOffset);
    }
    return segmentOffset;
  }

  /** Zero-fills to the end of the current page (nothing if at a page boundary); returns the new offset. */
  padPage(segmentOffset: number): number {
    const inPage = segmentOffset % PAGE_SIZE;
    if (inPage === 0) return segmentOffset;
    const n = PAGE_SIZE - inPage;
    this.ensure(n);
    this.bytes.fill(0, this.length, this.length + n);
    this.length += n;
    return segmentOffset + n;
  }

  clear(): void {
    this.length = 0;
  }
}
