// The wlog layout constants (spec §9): 32 KiB pages of fragments with a 7-byte header.

export const PAGE_SIZE = 32 * 1024;
export const RECORD_HEADER_SIZE = 7;
/** Prometheus's `DefaultSegmentSize`. */
export const DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024;

/** Fragment types: bits 0..2 of the header byte. */
export const FragmentType = {
  PageTerm: 0,
  Full: 1,
  First: 2,
  Middle: 3,
  Last: 4,
} as const;

/** Bit 3 of the header byte: the record's fragments hold snappy (block format) data. */
export const SNAPPY_FLAG = 0x08;

/** Largest payload of one fragment. */
export const MAX_FRAGMENT_DATA = PAGE_SIZE - RECORD_HEADER_SIZE;
