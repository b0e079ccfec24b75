import { compareStrings } from '../labels';

/**
 * A JSON value laid out the way Go's `encoding/json` would write it: objects are
 * `[key, value]` lists in struct-field order (Go does not reorder struct fields), maps are
 * plain objects whose keys Go sorts, arrays are arrays.
 */
export type GoJsonValue =
  string | number | boolean | null | GoJsonValue[] | GoJsonStruct | { [key: string]: GoJsonValue };

export class GoJsonStruct {
  constructor(readonly fields: Array<[string, GoJsonValue]>) {}
}

/** Go's `json.MarshalIndent(v, "", "\t")` output for `v`. */
export function goJsonIndent(value: GoJsonValue): string {
  return write(value, '');
}

function write(value: GoJsonValue, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number') return goJsonNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const inner = indent + '\t';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
  }
  const fields =
    value instanceof GoJsonStruct
      ? value.fields
      : Object.keys(value)
          .sort(compareStrings)
          .map((k): [string, GoJsonValue] => [k, value[k]]);
  if (fields.length === 0) return '{}';
  return `{\n${fields.map(([k, v]) => `${inner}${goJsonString(k)}: ${write(v, inner)}`).join(',\n')}\n${indent}}`;
}

function goJsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`JSON cannot hold ${n}`);
  // Go switches to exponent form below 1e-6 and from 1e21 and trims "e-07" to "e-7": as JS does.
  return Object.is(n, -0) ? '-0' : String(n);
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A string as Go's encoder writes it: HTML-safe (`<`, `>`, `&` escaped), U+2028/2029 escaped. */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff)
      out += '\\ufffd'; // lone surrogate: invalid UTF-8 in Go
    else out += ch;
  }
  return out + '"';
}
