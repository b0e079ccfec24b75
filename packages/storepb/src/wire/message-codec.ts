// protobufjs-backed codecs for the small StoreAPI messages (requests, label and info
// responses). A reflection walk converts between protobufjs objects and our shapes:
// int64 as clamped numbers (sentinels <-> Go MinInt64/MaxInt64), absent sub-messages
// as undefined, and the two field names that protobufjs leaves un-camelCased.
import protobuf from 'protobufjs/light.js';
import { protoType } from '../proto/root';

const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64_TYPES = new Set(['uint64', 'fixed64']);
const RENAMES: Record<string, string> = { type_url: 'typeUrl', ComponentType: 'componentType' };

/** Decodes to `T` (every field present or defaulted); encodes anything from `I` up. */
export interface MessageCodec<T, I = T> {
  readonly typeName: string;
  encode(value: I): Buffer;
  decode(buf: Uint8Array): T;
}

export function messageCodec<T, I = T>(typeName: string): MessageCodec<T, I> {
  const type = protoType(typeName);
  return {
    typeName,
    encode(value: I): Buffer {
      const bytes = type.encode(type.fromObject(toWire(type, value as Record<string, unknown>))).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    },
    decode(buf: Uint8Array): T {
      const msg = type.decode(buf);
      const obj = type.toObject(msg, { longs: String, enums: Number, defaults: true, arrays: true });
      return fromWire(type, obj) as T;
    },
  };
}

function int64FromString(s: string): number {
  const n = Number(s);
  if (n <= Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER;
  if (n >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  return n;
}

function int64ToWire(n: number): string | number {
  if (n <= Number.MIN_SAFE_INTEGER) return '-9223372036854775808';
  if (n >= Number.MAX_SAFE_INTEGER) return '9223372036854775807';
  return n;
}

function fromWire(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    const name = RENAMES[field.name] ?? field.name;
    if (v === null || v === undefined) continue;
    const convert = fieldFromWire(field);
    out[name] = convertValue(field, v, convert);
  }
  return out;
}

/** Applies `convert` to a field's value, each element of a repeated field, or each value of a map. */
function convertValue(field: protobuf.Field, v: unknown, convert: (v: unknown) => unknown): unknown {
  if (field.map) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, convert(x)]));
  }
  return field.repeated ? (v as unknown[]).map(convert) : convert(v);
}

function fieldFromWire(field: protobuf.Field): (v: unknown) => unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    const t = field.resolvedType;
    return (v) => fromWire(t, v as Record<string, unknown>);
  }
  if (INT64_TYPES.has(field.type)) return (v) => int64FromString(v as string);
  if (UINT64_TYPES.has(field.type)) return (v) => BigInt(v as string);
  return (v) => v;
}

function toWire(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = obj[RENAMES[field.name] ?? field.name];
    if (v === null || v === undefined) continue;
    const convert = fieldToWire(field);
    out[field.name] = convertValue(field, v, convert);
  }
  return out;
}

function fieldToWire(field: protobuf.Field): (v: unknown) => unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    const t = field.resolvedType;
    return (v) => toWire(t, v as Record<string, unknown>);
  }
  if (INT64_TYPES.has(field.type)) return (v) => int64ToWire(v as number);
  if (UINT64_TYPES.has(field.type)) return (v) => String(v);
  return (v) => v;
}
