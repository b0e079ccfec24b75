// JSON bodies of the Prometheus HTTP API, written by hand so that numbers come out exactly
// as Prometheus 2.42 prints them: timestamps as unix seconds with up to 3 decimals,
// sample values as quoted Go-formatted floats.
import type { QueryValue } from '@thanos-ts/promql';
import { formatPromApiFloat, formatPromApiTimestamp } from '@thanos-ts/tsdb';
import type { ApiError } from './api-error';

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

/** The `data` of a query answer: `{"resultType":...,"result":...}`. */
export function queryDataJson(value: QueryValue): string {
  switch (value.type) {
    case 'vector': {
      const items = value.samples.map((s) => `{"metric":${labelsJson(s.metric)},"value":${point(s.t, s.v)}}`);
      return `{"resultType":"vector","result":[${items.join(',')}]}`;
    }
    case 'matrix': {
      const items = value.series.map((s) => {
        const pts: string[] = new Array(s.timestamps.length);
        for (let i = 0; i < pts.length; i++) pts[i] = point(s.timestamps[i], s.values[i]);
        return `{"metric":${labelsJson(s.metric)},"values":[${pts.join(',')}]}`;
      });
      return `{"resultType":"matrix","result":[${items.join(',')}]}`;
    }
    case 'scalar':
      return `{"resultType":"scalar","result":${point(value.t, value.v)}}`;
    case 'string':
      return `{"resultType":"string","result":[${apiTimestamp(value.t)},${jsonString(value.v)}]}`;
  }
}

/** `{"status":"success","data":...}` plus warnings and extension fields (already JSON). */
export function successBody(dataJson: string, warnings: readonly string[], extra: Record<string, string> = {}): string {
  let body = `{"status":"success","data":${dataJson}`;
  for (const [k, v] of Object.entries(extra)) body += `,${jsonString(k)}:${v}`;
  if (warnings.length) body += `,"warnings":[${warnings.map(jsonString).join(',')}]`;
  return `${body}}`;
}

export function errorBody(err: ApiError, warnings: readonly string[] = []): string {
  let body = `{"status":"error","errorType":${jsonString(err.type)},"error":${jsonString(err.message)}`;
  if (warnings.length) body += `,"warnings":[${warnings.map(jsonString).join(',')}]`;
  return `${body}}`;
}
