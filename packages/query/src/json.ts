// JSON bodies of the Prometheus HTTP API, written by hand so that numbers come out exactly
// as Prometheus 2.42 prints them: timestamps as unix seconds with up to 3 decimals,
// sample values as quoted Go-formatted floats.
import type { QueryValue } from '@thanos-ts/promql';
import { formatPromApiFloat, formatPromApiTimestamp } from '@thanos-ts/tsdb';
import type { ApiError } from './api-error';
import { JsonBytesWriter, putAscii, putInt32Digits } from './json-bytes';

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string as Go's encoding/json writes it (HTML-safe escapes included). */
export function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
}

export function labelsJson(ls: ReadonlyArray<{ name: string; value: string }>): string {
  return `{${ls.map((l) => `${jsonString(l.name)}:${jsonString(l.value)}`).join(',')}}`;
}

/**
 * `formatPromApiFloat` with a fast path: where Go prints the fixed form (1e-6 <= |v| < 1e21),
 * JS's own number-to-string gives the same shortest round-trip digits in the same shape.
 */
export function apiFloat(v: number): string {
  const abs = v < 0 ? -v : v;
  return abs >= 1e-6 && abs < 1e21 ? String(v) : formatPromApiFloat(v);
}

/** `formatPromApiTimestamp` with a fast path for whole seconds (the usual step alignment). */
export function apiTimestamp(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : formatPromApiTimestamp(ms);
}

function point(t: number, v: number): string {
  return `[${apiTimestamp(t)},"${apiFloat(v)}"]`;
}

type Matrix = Extract<QueryValue, { type: 'matrix' }>['series'];

/** Bytes of a point besides its value's text: `,[`, a timestamp (at most 25), `,"`, `"]`. */
const POINT_BYTES = 32;
const COMMA = 0x2c;
const QUOTE = 0x22;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A matrix's JSON written straight into bytes. */
function matrixBytes(series: Matrix): Buffer[] {
  const w = new JsonBytesWriter();
  w.ascii('{"resultType":"matrix","result":[');
  for (let k = 0; k < series.length; k++) {
    const s = series[k];
    w.text(`${k > 0 ? ',' : ''}{"metric":${labelsJson(s.metric)},"values":[`);
    const ts = s.timestamps;
    const vs = s.values;
    // A value repeated from the previous point reuses its text (0 and -0 print differently).
    let lastV = NaN;
    let lastText = '';
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i];
      const v = vs[i];
      if (v !== lastV || (v === 0 && 1 / v !== 1 / lastV)) {
        lastText = apiFloat(v);
        lastV = v;
      }
      let p = w.reserve(POINT_BYTES + lastText.length);
      const b = w.buffer;
      if (i > 0) b[p++] = COMMA;
      b[p++] = OPEN_BRACKET;
      // whole seconds (step-aligned points, until 2038) as digits; anything else as Prometheus prints it
      const secs = t / 1000;
      p = (secs | 0) === secs && secs >= 0 ? putInt32Digits(b, p, secs) : putAscii(b, p, apiTimestamp(t));
      b[p++] = COMMA;
      b[p++] = QUOTE;
      p = putAscii(b, p, lastText);
      b[p++] = QUOTE;
      b[p++] = CLOSE_BRACKET;
      w.advanceTo(p);
    }
    w.ascii(']}');
  }
  w.ascii(']}');
  return w.finish();
}

/**
 * The `data` of a query answer, `{"resultType":...,"result":...}`: a matrix (the large
 * answers) as UTF-8 bytes in pieces, anything else as a string.
 */
export function queryData(value: QueryValue): string | Buffer[] {
  return value.type === 'matrix' ? matrixBytes(value.series) : queryDataJson(value);
}

/** The `data` of a query answer as a string. */
export function queryDataJson(value: QueryValue): string {
  switch (value.type) {
    case 'vector': {
      const items = value.samples.map((s) => `{"metric":${labelsJson(s.metric)},"value":${point(s.t, s.v)}}`);
      return `{"resultType":"vector","result":[${items.join(',')}]}`;
    }
    case 'matrix':
      return Buffer.concat(matrixBytes(value.series)).toString('utf8');
    case 'scalar':
      return `{"resultType":"scalar","result":${point(value.t, value.v)}}`;
    case 'string':
      return `{"resultType":"string","result":[${apiTimestamp(value.t)},${jsonString(value.v)}]}`;
  }
}

/**
 * `{"status":"success","data":...}` plus warnings and extension fields (already JSON); as
 * bytes when the data came as bytes.
 */
export function successBody(
  data: string | Buffer[],
  warnings: readonly string[],
  extra: Record<string, string> = {},
): string | Buffer[] {
  let tail = '';
  for (const [k, v] of Object.entries(extra)) tail += `,${jsonString(k)}:${v}`;
  if (warnings.length) tail += `,"warnings":[${warnings.map(jsonString).join(',')}]`;
  tail += '}';
  const head = '{"status":"success","data":';
  if (typeof data === 'string') return head + data + tail;
  // in pieces: a large matrix goes to the socket without being copied into one buffer first
  return [Buffer.from(head), ...data, Buffer.from(tail, 'utf8')];
}

export function errorBody(err: ApiError, warnings: readonly string[] = []): string {
  let body = `{"status":"error","errorType":${jsonString(err.type)},"error":${jsonString(err.message)}`;
  if (warnings.length) body += `,"warnings":[${warnings.map(jsonString).join(',')}]`;
  return `${body}}`;
}
