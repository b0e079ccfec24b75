// Record encoders, byte for byte as Prometheus's `record.Encoder` (so promtool reads our WAL).
// Each appends one record to `buf` and returns a view of it, valid until `buf.reset()`.
import type { EncodingBuffer } from '../encoding';
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
    const key = s.key;
    let parts = 0;
    for (let i = 0; i < key.length; i++) if (key[i] === KEY_SEPARATOR) parts++;
    buf.putUvarint(parts / 2);
    let from = 0;
    for (let i = 0; i < key.length; i++) {
      if (key[i] !== KEY_SEPARATOR) continue;
      buf.putUvarint(i - from);
      buf.putBytes(key.subarray(from, i));
      from = i + 1;
    }
  }
  return buf.bytes.subarray(start);
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
  for (let i = from; i < to; i++) {
    buf.putVarint(batch.refs[i] - baseRef);
    buf.putVarint(batch.timestamps[i] - baseTime);
    buf.putBE32(batch.valueHi(i));
    buf.putBE32(batch.valueLo(i));
    afterEach?.(i);
  }
}
