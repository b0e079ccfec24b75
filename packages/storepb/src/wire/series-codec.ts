// Hand-written codec for the hot StoreAPI message, thanos.SeriesResponse, and what it
// nests (Series, Label, AggrChunk, Chunk, SeriesBatch). Field order and zero-value
// omission follow gogoproto's marshaller, so output is byte-identical to Go Thanos.
// Decoded chunk data are subarrays of the input buffer.
import type { AggrChunk, AnyMessage, Chunk, Label, Series, SeriesResponse } from '../types';
import { labelBodySize, readLabel, utf8Length, writeLabelBody } from './label-codec';
import { ProtoReader } from './proto-reader';
import { int64Size, lenFieldSize, ProtoWriter, uint64Size, varintSize, WIRE_LEN, WIRE_VARINT } from './proto-writer';

/** AggrChunk fields 3..8 in wire order. */
const AGGR_FIELDS = ['raw', 'count', 'sum', 'min', 'max', 'counter'] as const;

function chunkSize(c: Chunk): number {
  let size = 0;
  if (c.type !== 0) size += 1 + varintSize(c.type);
  if (c.data.length > 0) size += lenFieldSize(c.data.length);
  if (c.hash !== undefined && c.hash !== 0n) size += 1 + uint64Size(c.hash);
  return size;
}

function timesSize(a: AggrChunk): number {
  return (a.minTime !== 0 ? 1 + int64Size(a.minTime) : 0) + (a.maxTime !== 0 ? 1 + int64Size(a.maxTime) : 0);
}

function aggrChunkSize(a: AggrChunk): number {
  // Named reads: a loop over field names would make every read a megamorphic keyed load.
  const { raw, count, sum, min, max, counter } = a;
  let size = timesSize(a);
  if (raw) size += lenFieldSize(chunkSize(raw));
  if (count) size += lenFieldSize(chunkSize(count));
  if (sum) size += lenFieldSize(chunkSize(sum));
  if (min) size += lenFieldSize(chunkSize(min));
  if (max) size += lenFieldSize(chunkSize(max));
  if (counter) size += lenFieldSize(chunkSize(counter));
  return size;
}

/**
 * Encodes SeriesResponse frames. Sizing measures every label string and chunk once and
 * keeps the UTF-8 lengths and AggrChunk sizes in `lens`, which the write pass then reads
 * back in the same order.
 */
class SeriesResponseEncoder {
  private lens: number[] = [];
  private next = 0;

  encode(resp: SeriesResponse): Buffer {
    this.lens.length = 0;
    let w: ProtoWriter;
    switch (resp.type) {
      case 'series': {
        const size = this.seriesSize(resp.series);
        w = new ProtoWriter(lenFieldSize(size));
        this.next = 0;
        w.tag(1, WIRE_LEN);
        this.writeSeries(w, resp.series, size);
        break;
      }
      case 'warning': {
        const len = utf8Length(resp.warning);
        w = new ProtoWriter(lenFieldSize(len));
        w.tag(2, WIRE_LEN);
        w.string(resp.warning, len);
        break;
      }
      case 'hints': {
        const size = anySize(resp.hints);
        w = new ProtoWriter(lenFieldSize(size));
        w.tag(3, WIRE_LEN);
        writeAny(w, resp.hints, size);
        break;
      }
      case 'batch': {
        const sizes = resp.batch.map((s) => this.seriesSize(s));
        let size = 0;
        for (const s of sizes) size += lenFieldSize(s);
        w = new ProtoWriter(lenFieldSize(size));
        this.next = 0;
        w.tag(4, WIRE_LEN);
        w.uint32(size);
        resp.batch.forEach((s, i) => {
          w.tag(1, WIRE_LEN);
          this.writeSeries(w, s, sizes[i]);
        });
        break;
      }
    }
    if (w.pos !== w.buf.length) throw new Error(`SeriesResponse encoder wrote ${w.pos} of ${w.buf.length} bytes`);
    return w.buf;
  }

  private seriesSize(s: Series): number {
    let size = 0;
    for (const l of s.labels) {
      const n = utf8Length(l.name);
      const v = utf8Length(l.value);
      this.lens.push(n, v);
      size += lenFieldSize(labelBodySize(n, v));
    }
    for (const c of s.chunks) {
      const n = aggrChunkSize(c);
      this.lens.push(n);
      size += lenFieldSize(n);
    }
    return size;
  }

  private writeSeries(w: ProtoWriter, s: Series, size: number): void {
    w.uint32(size);
    for (const l of s.labels) {
      const n = this.lens[this.next++];
      const v = this.lens[this.next++];
      w.tag(1, WIRE_LEN);
      writeLabelBody(w, l, n, v);
    }
    for (const c of s.chunks) {
      w.tag(2, WIRE_LEN);
      writeAggrChunk(w, c, this.lens[this.next++]);
    }
  }
}

function writeAggrChunk(w: ProtoWriter, a: AggrChunk, size: number): void {
  w.uint32(size);
  if (a.minTime !== 0) {
    w.tag(1, WIRE_VARINT);
    w.int64(a.minTime);
  }
  if (a.maxTime !== 0) {
    w.tag(2, WIRE_VARINT);
    w.int64(a.maxTime);
  }
  const { raw, count, sum, min, max, counter } = a;
  if (raw) writeChunk(w, 3, raw);
  if (count) writeChunk(w, 4, count);
  if (sum) writeChunk(w, 5, sum);
  if (min) writeChunk(w, 6, min);
  if (max) writeChunk(w, 7, max);
  if (counter) writeChunk(w, 8, counter);
}

function writeChunk(w: ProtoWriter, field: number, c: Chunk): void {
  w.tag(field, WIRE_LEN);
  w.uint32(chunkSize(c));
  if (c.type !== 0) {
    w.tag(1, WIRE_VARINT);
    w.uint32(c.type);
  }
  if (c.data.length > 0) {
    w.tag(2, WIRE_LEN);
    w.bytes(c.data);
  }
  if (c.hash !== undefined && c.hash !== 0n) {
    w.tag(3, WIRE_VARINT);
    w.uint64(c.hash);
  }
}

function anySize(a: AnyMessage): number {
  const urlLen = utf8Length(a.typeUrl);
  return (urlLen > 0 ? lenFieldSize(urlLen) : 0) + (a.value.length > 0 ? lenFieldSize(a.value.length) : 0);
}

function writeAny(w: ProtoWriter, a: AnyMessage, size: number): void {
  w.uint32(size);
  const urlLen = utf8Length(a.typeUrl);
  if (urlLen > 0) {
    w.tag(1, WIRE_LEN);
    w.string(a.typeUrl, urlLen);
  }
  if (a.value.length > 0) {
    w.tag(2, WIRE_LEN);
    w.bytes(a.value);
  }
}

const encoder = new SeriesResponseEncoder();

/** Encodes one `thanos.SeriesResponse` frame. */
export function encodeSeriesResponse(resp: SeriesResponse): Buffer {
  return encoder.encode(resp);
}

/** Decodes one `thanos.SeriesResponse` frame; chunk data alias `buf`. */
export function decodeSeriesResponse(buf: Uint8Array): SeriesResponse {
  const r = new ProtoReader(buf, 'thanos.SeriesResponse');
  let resp: SeriesResponse | undefined;
  // A oneof keeps the last member seen on the wire.
  while (r.more()) {
    const tag = r.uint32();
    const wire = tag & 7;
    const field = wire === WIRE_LEN ? tag >>> 3 : 0;
    if (field === 2) {
      resp = { type: 'warning', warning: r.string() };
    } else if (field === 1 || field === 3 || field === 4) {
      const outer = r.enter();
      if (field === 1) resp = { type: 'series', series: readSeries(r) };
      else if (field === 3) resp = { type: 'hints', hints: readAny(r) };
      else resp = { type: 'batch', batch: readBatch(r) };
      r.leave(outer);
    } else {
      r.skip(wire);
    }
  }
  if (!resp) return r.fail('empty message (none of series, warning, hints, batch set)');
  return resp;
}

function readBatch(r: ProtoReader): Series[] {
  const batch: Series[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag !== ((1 << 3) | WIRE_LEN)) {
      r.skip(tag & 7);
      continue;
    }
    const outer = r.enter();
    batch.push(readSeries(r));
    r.leave(outer);
  }
  return batch;
}

function readSeries(r: ProtoReader): Series {
  const labels: Label[] = [];
  const chunks: AggrChunk[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      labels.push(readLabel(r));
    } else if (tag === ((2 << 3) | WIRE_LEN)) {
      const outer = r.enter();
      chunks.push(readAggrChunk(r));
      r.leave(outer);
    } else {
      r.skip(tag & 7);
    }
  }
  return { labels, chunks };
}

function readAggrChunk(r: ProtoReader): AggrChunk {
  const a: AggrChunk = { minTime: 0, maxTime: 0 };
  while (r.more()) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_VARINT) a.minTime = r.int64();
    else if (field === 2 && wire === WIRE_VARINT) a.maxTime = r.int64();
    else if (field >= 3 && field <= 8 && wire === WIRE_LEN) {
      const outer = r.enter();
      // raw chunks are nearly all of them: a named store instead of a keyed one
      if (field === 3) a.raw = readChunk(r);
      else a[AGGR_FIELDS[field - 3]] = readChunk(r);
      r.leave(outer);
    } else r.skip(wire);
  }
  return a;
}

const EMPTY = new Uint8Array(0);

function readChunk(r: ProtoReader): Chunk {
  const c: Chunk = { type: 0, data: EMPTY };
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_VARINT)) c.type = r.uint32();
    else if (tag === ((2 << 3) | WIRE_LEN)) c.data = r.bytes();
    else if (tag === ((3 << 3) | WIRE_VARINT)) c.hash = r.uint64();
    else r.skip(tag & 7);
  }
  return c;
}

function readAny(r: ProtoReader): AnyMessage {
  const a: AnyMessage = { typeUrl: '', value: EMPTY };
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) a.typeUrl = r.string();
    else if (tag === ((2 << 3) | WIRE_LEN)) a.value = r.bytes();
    else r.skip(tag & 7);
  }
  return a;
}
