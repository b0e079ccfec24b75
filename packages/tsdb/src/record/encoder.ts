// Record encoders, byte for byte as Prometheus's `record.Encoder` (so promtool reads our WAL).
// Each appends one record to `buf` and returns a view of it, valid until `buf.reset()`.
import { writeVarint, type EncodingBuffer } from '../encoding';
import { KEY_SEPARATOR } from '../head/labels-key';
import type { Labels } from '../labels';
import type { ExemplarBatch, SampleBatch } from './sample-batch';
import { RecordType, type RefMetadata, type RefSeries, type Tombstone } from './types';

export function encodeSeries(buf: EncodingBuffer, series: readonly RefSeries[]): Uint8Array {
  const start = buf.length;
  buf.putByte(RecordType.Series);
  for (const s of series) {
    buf.putBE64(s.ref);
    encodeLabels(buf, s.labels);
  }
  return buf.bytes.subarray(start);
}

/**
 * The same record as `encodeSeries`, from each series' canonical key (`name 0xff value 0xff ...`, see the
 * head's `labelsKey`): the label bytes are copied rather than encoded again from strings.
 */
export function encodeSeriesKeys(buf: EncodingBuffer, series: readonly { ref: number; key: Uint8Array }[]): Uint8Array {
  const start = buf.length;
  buf.putByte(RecordType.Series);
  for (const s of series) {
    buf.putBE64(s.ref);
    putKeyLabels(buf, s.key);
  }
  return buf.bytes.subarray(start);
}

/** `uvarint(count)` and `uvarint(len) bytes` per name and value, from a key. */
function putKeyLabels(buf: EncodingBuffer, key: Uint8Array): void {
  let parts = 0;
  let short = true;
  for (let i = 0, from = 0; i < key.length; i++) {
    if (key[i] !== KEY_SEPARATOR) continue;
    parts++;
    short &&= i - from < 0x80;
    from = i + 1;
  }
  buf.putUvarint(parts / 2);
  if (parts === 0) return;
  if (short) {
    // With one-byte lengths the labels are the key shifted by a byte, each separator replaced by the
    // length of the string after it (the last one dropped): one copy, then the lengths patched in.
    const at = buf.length;
    buf.putByte(key.indexOf(KEY_SEPARATOR));
    buf.putBytes(key.subarray(0, key.length - 1));
    const out = buf.bytes;
    for (let i = 0; i < key.length - 1; i++) {
      if (key[i] === KEY_SEPARATOR) out[at + 1 + i] = key.indexOf(KEY_SEPARATOR, i + 1) - i - 1;
    }
    return;
  }
  for (let i = 0, from = 0; i < key.length; i++) {
    if (key[i] !== KEY_SEPARATOR) continue;
    buf.putUvarint(i - from);
    buf.putBytes(key.subarray(from, i));
    from = i + 1;
  }
}

/** Samples `[from, to)` of `batch`: first ref and time as base, then zigzag deltas and raw value bits. */
export function encodeSamples(buf: EncodingBuffer, batch: SampleBatch, from = 0, to = batch.length): Uint8Array {
  const start = buf.length;
  buf.putByte(RecordType.Samples);
  putSampleColumns(buf, batch, from, to);
  return buf.bytes.subarray(start);
}

export function encodeTombstones(buf: EncodingBuffer, stones: readonly Tombstone[]): Uint8Array {
  const start = buf.length;
  buf.putByte(RecordType.Tombstones);
  for (const s of stones) {
    buf.putBE64(s.ref);
    buf.putVarint(s.mint);
    buf.putVarint(s.maxt);
  }
  return buf.bytes.subarray(start);
}

/** Exemplars `[from, to)`: like samples, each followed by its labels. */
export function encodeExemplars(buf: EncodingBuffer, batch: ExemplarBatch, from = 0, to = batch.length): Uint8Array {
  const start = buf.length;
  buf.putByte(RecordType.Exemplars);
  putSampleColumns(buf, batch, from, to, (i) => encodeLabels(buf, batch.labels[i]));
  return buf.bytes.subarray(start);
}

const UNIT = 'UNIT';
const HELP = 'HELP';

export function encodeMetadata(buf: EncodingBuffer, metadata: readonly RefMetadata[]): Uint8Array {
  const start = buf.length;
  buf.putByte(RecordType.Metadata);
  for (const m of metadata) {
    buf.putUvarint(m.ref);
    buf.putByte(m.type);
    buf.putUvarint(2);
    buf.putUvarintStr(UNIT);
    buf.putUvarintStr(m.unit);
    buf.putUvarintStr(HELP);
    buf.putUvarintStr(m.help);
  }
  return buf.bytes.subarray(start);
}

function encodeLabels(buf: EncodingBuffer, labels: Labels): void {
  buf.putUvarint(labels.length);
  for (const l of labels) {
    buf.putUvarintStr(l.name);
    buf.putUvarintStr(l.value);
  }
}

/** Where sample entries are assembled before being appended to the record in bulk. */
const scratch = new Uint8Array(1 << 16);
const scratchView = new DataView(scratch.buffer);
/** The most bytes one sample entry takes: two 10-byte varints and the 8 value bytes. */
const MAX_SAMPLE_ENTRY = 28;

function putSampleColumns(
  buf: EncodingBuffer,
  batch: SampleBatch,
  from: number,
  to: number,
  afterEach?: (i: number) => void,
): void {
  if (to <= from) return;
  const baseRef = batch.refs[from];
  const baseTime = batch.timestamps[from];
  buf.putBE64(baseRef);
  buf.putBE64int(baseTime);
  const b = scratch;
  const view = scratchView;
  let pos = 0;
  for (let i = from; i < to; i++) {
    if (pos + MAX_SAMPLE_ENTRY > b.length) {
      buf.putBytes(b.subarray(0, pos));
      pos = 0;
    }
    pos = putZigzag(b, pos, batch.refs[i] - baseRef);
    pos = putZigzag(b, pos, batch.timestamps[i] - baseTime);
    view.setUint32(pos, batch.valueHi(i));
    view.setUint32(pos + 4, batch.valueLo(i));
    pos += 8;
    if (afterEach) {
      buf.putBytes(b.subarray(0, pos));
      pos = 0;
      afterEach(i);
    }
  }
  buf.putBytes(b.subarray(0, pos));
}

/** A zigzag varint; deltas that fit 31 bits (nearly all) are encoded with integer arithmetic. */
function putZigzag(b: Uint8Array, pos: number, v: number): number {
  if (v < -0x40000000 || v >= 0x40000000) return writeVarint(b, pos, v);
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  while (u >= 0x80) {
    b[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  b[pos++] = u;
  return pos;
}
