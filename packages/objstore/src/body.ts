import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { UploadBody } from './bucket';

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts);
}

export function isFilePath(body: UploadBody): body is string {
  return typeof body === 'string';
}

/** A stream can be consumed once; bytes and files can be sent again on a retry. */
export function isReplayable(body: UploadBody): body is Uint8Array | string {
  return !(body instanceof Readable);
}

export async function bodyToBytes(body: UploadBody): Promise<Uint8Array> {
  if (isFilePath(body)) return readFile(body);
  if (body instanceof Readable) return readAll(body);
  return body;
}

/** The size of a body when it is known without reading it. */
export async function knownSize(body: UploadBody): Promise<number | undefined> {
  if (isFilePath(body)) return (await stat(body)).size;
  if (body instanceof Readable) return undefined;
  return body.byteLength;
}

/** Copies `bytes[offset, offset+length)` with Thanos range semantics (length -1 = to the end). */
export function sliceRange(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  if (offset >= bytes.length) return new Uint8Array(0);
  const end = length === -1 ? bytes.length : Math.min(bytes.length, offset + length);
  return bytes.slice(offset, end);
}
