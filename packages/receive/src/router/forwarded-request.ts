// Reads a `thanos.WriteRequest` received from a peer router into one columnar view per
// tenant, without building an object per series: each `TimeSeriesTenantTuple` is itself a
// valid Prometheus WriteRequest as far as our decoder is concerned (field 1 holds the
// TimeSeries, and its field 2, the tenant, is an unknown field it skips).
import { decodeWriteRequest, type WriteRequestView } from '@thanos-ts/remote-write';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** A `thanos.WriteRequest` that cannot be read; the message names the offset. */
export class ForwardedRequestError extends Error {
  override readonly name = 'ForwardedRequestError';
}

export interface ForwardedRequest {
  replica: number;
  /** The series of each tenant ('' when the sender named none). */
  tenants: Array<{ tenant: string; view: WriteRequestView }>;
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end: number,
  ) {}

  more(): boolean {
    return this.pos < this.end;
  }

  varint(): number {
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) break;
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * mul;
      if (b < 0x80) return value;
      mul *= 128;
    }
    throw new ForwardedRequestError(`thanos.WriteRequest: bad varint at offset ${this.pos}`);
  }

  /** [start, end) of the length-delimited value at the position. */
  lengthDelimited(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) {
      throw new ForwardedRequestError(
        `thanos.WriteRequest: field of ${len} bytes at offset ${start} runs past the end`,
      );
    }
    this.pos = start + len;
    return [start, this.pos];
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.lengthDelimited();
    else if (wire === WIRE_FIXED64) this.pos += 8;
    else if (wire === WIRE_FIXED32) this.pos += 4;
    else throw new ForwardedRequestError(`thanos.WriteRequest: unsupported wire type ${wire} at offset ${this.pos}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function tupleTenant(buf: Uint8Array, start: number, end: number): string {
  const r = new Reader(buf, end);
  r.pos = start;
  let tenant = '';
  while (r.more()) {
    const tag = r.varint();
    if (tag === ((2 << 3) | WIRE_LEN)) {
      const [s, e] = r.lengthDelimited();
      tenant = utf8.decode(buf.subarray(s, e));
    } else r.skip(tag & 7);
  }
  return tenant;
}

export function parseForwardedRequest(buf: Uint8Array): ForwardedRequest {
  const r = new Reader(buf, buf.length);
  let replica = 0;
  let tenant = '';
  const legacy: Array<[number, number]> = [];
  const tuples: Array<[number, number]> = [];
  while (r.more()) {
    const fieldStart = r.pos;
    const tag = r.varint();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      r.lengthDelimited();
      legacy.push([fieldStart, r.pos]);
    } else if (tag === ((2 << 3) | WIRE_LEN)) {
      const [s, e] = r.lengthDelimited();
      tenant = utf8.decode(buf.subarray(s, e));
    } else if (tag === ((3 << 3) | WIRE_VARINT)) replica = r.varint();
    else if (tag === ((4 << 3) | WIRE_LEN)) tuples.push(r.lengthDelimited());
    else r.skip(tag & 7);
  }
  const tenants = tuples.map(([s, e]) => ({
    tenant: tupleTenant(buf, s, e),
    view: decodeWriteRequest(buf.subarray(s, e)),
  }));
  if (tuples.length === 0 && legacy.length > 0) {
    // the deprecated (timeseries, tenant) form: its TimeSeries fields, gathered, form a WriteRequest
    const parts = legacy.map(([s, e]) => buf.subarray(s, e));
    tenants.push({ tenant, view: decodeWriteRequest(Buffer.concat(parts)) });
  }
  return { replica, tenants };
}
