// Record decoders, the inverse of ./encoder. Every decoder checks the type byte, reads with
// bounds checks (a malformed record throws CorruptionError with the offset inside the record)
// and insists that the record is consumed exactly, as Prometheus does.
import { DecodingBuffer } from '../encoding';
import { labelString } from '../head/labels-key';
import type { Label, Labels } from '../labels';
import { ExemplarBatch, SampleBatch } from './sample-batch';
import { RecordType, type RecordTypeValue, type RefMetadata, type RefSeries, type Tombstone } from './types';

const KNOWN_TYPES = new Set<number>([1, 2, 3, 4, 5, 6, 7, 8]);

/** The record's type, or `RecordType.Unknown` (255) for an empty record or an unknown type byte. */
export function recordType(rec: Uint8Array): RecordTypeValue {
  return rec.length > 0 && KNOWN_TYPES.has(rec[0]) ? (rec[0] as RecordTypeValue) : RecordType.Unknown;
}

/** Appends the series of a Series record to `out`. */
export function decodeSeries(rec: Uint8Array, out: RefSeries[] = []): RefSeries[] {
  const d = open(rec, RecordType.Series, 'series');
  while (d.remaining > 0) {
    const ref = d.be64();
    out.push({ ref, labels: decodeLabels(d) });
  }
  return out;
}

/** Receives one series of a Series record; `key` is only valid during the call (copy it to keep it). */
export type SeriesVisitor = (ref: number, labels: Labels, key: Uint8Array) => void;

/** Where {@link forEachSeries} assembles keys; grows to the largest key seen. */
let keyScratch = new Uint8Array(1024);

/**
 * Decodes a Series record series by series, handing each one's labels together with its canonical key
 * (`name 0xff value 0xff ...`, as the head's `labelsKey`), copied from the record's bytes instead of
 * re-encoding the decoded strings. Returns the number of series.
 */
export function forEachSeries(rec: Uint8Array, visit: SeriesVisitor): number {
  const d = open(rec, RecordType.Series, 'series');
  let count = 0;
  while (d.remaining > 0) {
    const ref = d.be64();
    const n = labelCount(d);
    const labels: Label[] = new Array(n);
    let keyLen = 0;
    for (let i = 0; i < n; i++) {
      const nameStart = d.pos;
      const name = decodeString(d);
      keyLen = appendKeyPart(d.bytes, nameStart, d.pos, keyLen, name);
      const valueStart = d.pos;
      const value = decodeString(d);
      labels[i] = { name, value };
      keyLen = appendKeyPart(d.bytes, valueStart, d.pos, keyLen, value);
    }
    visit(ref, labels, keyScratch.subarray(0, keyLen));
    count++;
  }
  return count;
}

const utf8Encoder = new TextEncoder();

/**
 * Appends the string whose uvarint length prefix starts at `from` (ending at `to`) and a 0xff to the key. A
 * string with non-ASCII bytes goes in as the UTF-8 encoding of `decoded`, its decoding: the same bytes when
 * they are valid UTF-8, and otherwise the key `labelsKey` makes of the decoded labels (which ingest looks up).
 */
function appendKeyPart(bytes: Uint8Array, from: number, to: number, keyLen: number, decoded: string): number {
  let p = from;
  while (bytes[p] >= 0x80) p++;
  p++;
  const need = keyLen + Math.max(to - p, 3 * decoded.length) + 1;
  if (need > keyScratch.length) {
    const next = new Uint8Array(Math.max(need, keyScratch.length * 2));
    next.set(keyScratch.subarray(0, keyLen));
    keyScratch = next;
  }
  const start = keyLen;
  let bits = 0;
  for (; p < to; p++) {
    const b = bytes[p];
    bits |= b;
    keyScratch[keyLen++] = b;
  }
  if (bits >= 0x80) keyLen = start + utf8Encoder.encodeInto(decoded, keyScratch.subarray(start)).written;
  keyScratch[keyLen++] = 0xff;
  return keyLen;
}

/** Appends the samples of a Samples record to `out` (bit-exact values). */
export function decodeSamples(rec: Uint8Array, out: SampleBatch = new SampleBatch()): SampleBatch {
  const d = open(rec, RecordType.Samples, 'samples');
  if (d.remaining === 0) return out;
  const baseRef = d.be64();
  const baseTime = d.be64int();
  // Each sample takes at least 10 bytes: size the columns once.
  out.ensureCapacity(out.length + Math.ceil(d.remaining / 10));
  while (d.remaining > 0) {
    const ref = baseRef + d.varint();
    const t = baseTime + d.varint();
    const hi = d.be32();
    out.pushBits(ref, t, hi, d.be32());
  }
  return out;
}

/** Appends the intervals of a Tombstones record to `out`. */
export function decodeTombstones(rec: Uint8Array, out: Tombstone[] = []): Tombstone[] {
  const d = open(rec, RecordType.Tombstones, 'tombstones');
  while (d.remaining > 0) {
    const ref = d.be64();
    const mint = d.varint();
    out.push({ ref, mint, maxt: d.varint() });
  }
  return out;
}

/** Appends the exemplars of an Exemplars record to `out`. */
export function decodeExemplars(rec: Uint8Array, out: ExemplarBatch = new ExemplarBatch()): ExemplarBatch {
  const d = open(rec, RecordType.Exemplars, 'exemplars');
  if (d.remaining === 0) return out;
  const baseRef = d.be64();
  const baseTime = d.be64int();
  while (d.remaining > 0) {
    const ref = baseRef + d.varint();
    const t = baseTime + d.varint();
    const hi = d.be32();
    const lo = d.be32();
    out.pushExemplarBits(ref, t, hi, lo, decodeLabels(d));
  }
  return out;
}

/** Appends the entries of a Metadata record to `out`; fields other than UNIT and HELP are skipped. */
export function decodeMetadata(rec: Uint8Array, out: RefMetadata[] = []): RefMetadata[] {
  const d = open(rec, RecordType.Metadata, 'metadata');
  while (d.remaining > 0) {
    const ref = d.uvarint();
    const type = d.byte();
    const fields = d.uvarint();
    let unit = '';
    let help = '';
    for (let i = 0; i < fields; i++) {
      const name = decodeString(d);
      const value = decodeString(d);
      if (name === 'UNIT') unit = value;
      else if (name === 'HELP') help = value;
    }
    out.push({ ref, type, unit, help });
  }
  return out;
}

function open(rec: Uint8Array, type: number, what: string): DecodingBuffer {
  const d = new DecodingBuffer(rec);
  const got = rec.length > 0 ? rec[0] : -1;
  if (got !== type) d.fail(`not a ${what} record: type byte ${got}, want ${type}`, 0);
  d.pos = 1;
  return d;
}

function labelCount(d: DecodingBuffer): number {
  const n = d.uvarint();
  // Each label needs at least 2 bytes: refuse counts the record cannot hold before allocating.
  if (n * 2 > d.remaining) d.fail(`label count ${n} exceeds the ${d.remaining} bytes left`);
  return n;
}

function decodeLabels(d: DecodingBuffer): Labels {
  const n = labelCount(d);
  const labels: Label[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = decodeString(d);
    labels[i] = { name, value: decodeString(d) };
  }
  return labels;
}

/**
 * A uvarint-prefixed UTF-8 string (invalid sequences become U+FFFD), shared with earlier series when
 * the same bytes were decoded before (see `labelString`).
 */
function decodeString(d: DecodingBuffer): string {
  const n = d.uvarint();
  const start = d.pos;
  d.skip(n);
  return labelString(d.bytes, start, start + n);
}
