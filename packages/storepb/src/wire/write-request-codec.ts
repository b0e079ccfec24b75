// Hand-written codec for thanos.WriteRequest (receiver forwarding). Sample values are
// copied as raw little-endian bytes between the wire and Float64Arrays, so NaN payloads
// (the Prometheus stale marker) survive untouched; histograms pass through encoded.
import { endianness } from 'node:os';
import type { Exemplar, TimeSeries, WriteRequest } from '../types';
import { ProtoReader } from './proto-reader';
import { int64Size, lenFieldSize, ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './proto-writer';
import { labelsFieldSize, readLabel, utf8Length, writeLabelsField } from './label-codec';

if (endianness() !== 'LE') throw new Error('@thanos-ts/storepb assumes a little-endian host for float64 bytes');

const SAMPLE_TAG = (2 << 3) | WIRE_LEN;

function bytesOf(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

// gogoproto leaves out a zero double; -0 compares equal to 0 in Go too, so it is dropped as well.
function sampleSize(value: number, t: number): number {
  return (value === 0 ? 0 : 9) + (t !== 0 ? 1 + int64Size(t) : 0);
}

function exemplarSize(e: Exemplar): number {
  return labelsFieldSize(e.labels) + (e.value !== 0 ? 9 : 0) + (e.timestamp !== 0 ? 1 + int64Size(e.timestamp) : 0);
}

function timeSeriesSize(ts: TimeSeries): number {
  let size = labelsFieldSize(ts.labels);
  for (let i = 0; i < ts.timestamps.length; i++) size += lenFieldSize(sampleSize(ts.values[i], ts.timestamps[i]));
  for (const e of ts.exemplars) size += lenFieldSize(exemplarSize(e));
  for (const h of ts.histograms) size += lenFieldSize(h.length);
  return size;
}

function writeTimeSeries(w: ProtoWriter, ts: TimeSeries): void {
  w.uint32(timeSeriesSize(ts));
  writeLabelsField(w, ts.labels);
  const bytes = bytesOf(ts.values);
  for (let i = 0; i < ts.timestamps.length; i++) {
    const t = ts.timestamps[i];
    w.tag(2, WIRE_LEN);
    w.uint32(sampleSize(ts.values[i], t));
    if (ts.values[i] !== 0) {
      w.tag(1, WIRE_FIXED64);
      w.buf.set(bytes.subarray(i * 8, i * 8 + 8), w.pos);
      w.pos += 8;
    }
    if (t !== 0) {
      w.tag(2, WIRE_VARINT);
      w.int64(t);
    }
  }
  for (const e of ts.exemplars) {
    w.tag(3, WIRE_LEN);
    w.uint32(exemplarSize(e));
    writeLabelsField(w, e.labels);
    if (e.value !== 0) {
      w.tag(2, WIRE_FIXED64);
      w.double(e.value);
    }
    if (e.timestamp !== 0) {
      w.tag(3, WIRE_VARINT);
      w.int64(e.timestamp);
    }
  }
  for (const h of ts.histograms) {
    w.tag(4, WIRE_LEN);
    w.bytes(h);
  }
}

function seriesListSize(list: TimeSeries[]): number {
  let size = 0;
  for (const ts of list) size += lenFieldSize(timeSeriesSize(ts));
  return size;
}

function tupleSize(t: { timeseries: TimeSeries[]; tenant: string }): number {
  const n = utf8Length(t.tenant);
  return seriesListSize(t.timeseries) + (n > 0 ? lenFieldSize(n) : 0);
}

export function encodeWriteRequest(req: WriteRequest): Buffer {
  const tenantLen = utf8Length(req.tenant);
  let size = seriesListSize(req.timeseries);
  if (tenantLen > 0) size += lenFieldSize(tenantLen);
  if (req.replica !== 0) size += 1 + int64Size(req.replica);
  for (const t of req.timeseriesTenantData) size += lenFieldSize(tupleSize(t));

  const w = new ProtoWriter(size);
  for (const ts of req.timeseries) {
    w.tag(1, WIRE_LEN);
    writeTimeSeries(w, ts);
  }
  if (tenantLen > 0) {
    w.tag(2, WIRE_LEN);
    w.string(req.tenant, tenantLen);
  }
  if (req.replica !== 0) {
    w.tag(3, WIRE_VARINT);
    w.int64(req.replica);
  }
  for (const t of req.timeseriesTenantData) {
    w.tag(4, WIRE_LEN);
    w.uint32(tupleSize(t));
    for (const ts of t.timeseries) {
      w.tag(1, WIRE_LEN);
      writeTimeSeries(w, ts);
    }
    const n = utf8Length(t.tenant);
    if (n > 0) {
      w.tag(2, WIRE_LEN);
      w.string(t.tenant, n);
    }
  }
  if (w.pos !== size) throw new Error(`WriteRequest encoder wrote ${w.pos} of ${size} bytes`);
  return w.buf;
}

export function decodeWriteRequest(buf: Uint8Array): WriteRequest {
  const r = new ProtoReader(buf, 'thanos.WriteRequest');
  const req: WriteRequest = { timeseries: [], tenant: '', replica: 0, timeseriesTenantData: [] };
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) req.timeseries.push(readTimeSeries(r));
    else if (tag === ((2 << 3) | WIRE_LEN)) req.tenant = r.string();
    else if (tag === ((3 << 3) | WIRE_VARINT)) req.replica = r.int64();
    else if (tag === ((4 << 3) | WIRE_LEN)) {
      const outer = r.enter();
      const tuple = { timeseries: [] as TimeSeries[], tenant: '' };
      while (r.more()) {
        const t = r.uint32();
        if (t === ((1 << 3) | WIRE_LEN)) tuple.timeseries.push(readTimeSeries(r));
        else if (t === ((2 << 3) | WIRE_LEN)) tuple.tenant = r.string();
        else r.skip(t & 7);
      }
      r.leave(outer);
      req.timeseriesTenantData.push(tuple);
    } else r.skip(tag & 7);
  }
  return req;
}

function countSamples(r: ProtoReader): number {
  const start = r.pos;
  let n = 0;
  while (r.more()) {
    const tag = r.uint32();
    if (tag === SAMPLE_TAG) n++;
    r.skip(tag & 7);
  }
  r.pos = start;
  return n;
}

/** Reads a length-delimited TimeSeries at the reader's position. */
function readTimeSeries(r: ProtoReader): TimeSeries {
  const outer = r.enter();
  const n = countSamples(r);
  const ts: TimeSeries = {
    labels: [],
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
    exemplars: [],
    histograms: [],
  };
  const valueBytes = bytesOf(ts.values);
  let i = 0;
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) ts.labels.push(readLabel(r));
    else if (tag === SAMPLE_TAG) {
      const o = r.enter();
      while (r.more()) {
        const t = r.uint32();
        if (t === ((1 << 3) | WIRE_FIXED64)) {
          if (r.pos + 8 > r.end) r.fail('truncated sample value');
          valueBytes.set(r.buf.subarray(r.pos, r.pos + 8), i * 8);
          r.pos += 8;
        } else if (t === ((2 << 3) | WIRE_VARINT)) ts.timestamps[i] = r.int64();
        else r.skip(t & 7);
      }
      r.leave(o);
      i++;
    } else if (tag === ((3 << 3) | WIRE_LEN)) ts.exemplars.push(readExemplar(r));
    else if (tag === ((4 << 3) | WIRE_LEN)) ts.histograms.push(r.bytes());
    else r.skip(tag & 7);
  }
  r.leave(outer);
  return ts;
}

function readExemplar(r: ProtoReader): Exemplar {
  const outer = r.enter();
  const e: Exemplar = { labels: [], value: 0, timestamp: 0 };
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) e.labels.push(readLabel(r));
    else if (tag === ((2 << 3) | WIRE_FIXED64)) e.value = r.double();
    else if (tag === ((3 << 3) | WIRE_VARINT)) e.timestamp = r.int64();
    else r.skip(tag & 7);
  }
  r.leave(outer);
  return e;
}
