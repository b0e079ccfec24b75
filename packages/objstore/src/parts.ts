import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { UploadBody } from './bucket';
import { isFilePath } from './body';

/** One piece of an upload; `open` can be called again to resend it on a retry. */
export interface UploadPart {
  size: number;
  open: () => Uint8Array | Readable;
}

/**
 * Splits an upload body into parts of `partSize` bytes (the last may be shorter; an empty
 * body gives one empty part). Streams are buffered one part at a time, so memory stays
 * bounded by the part size and every part can be retried.
 */
export async function* uploadParts(body: UploadBody, partSize: number): AsyncGenerator<UploadPart> {
  if (isFilePath(body)) {
    const { size } = await stat(body);
    for (let start = 0; start === 0 || start < size; start += partSize) {
      const n = Math.min(partSize, size - start);
      yield {
        size: n,
        open: () => (n === 0 ? new Uint8Array(0) : createReadStream(body, { start, end: start + n - 1 })),
      };
    }
    return;
  }
  if (!(body instanceof Readable)) {
    for (let start = 0; start === 0 || start < body.length; start += partSize) {
      const part = body.subarray(start, start + partSize);
      yield { size: part.length, open: () => part };
    }
    return;
  }
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let yielded = false;
  for await (const chunk of body) {
    let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (pendingSize + buf.length >= partSize) {
      const take = partSize - pendingSize;
      const part = Buffer.concat([...pending, buf.subarray(0, take)]);
      pending = [];
      pendingSize = 0;
      buf = buf.subarray(take);
      yielded = true;
      yield { size: part.length, open: () => part };
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingSize += buf.length;
    }
  }
  if (pendingSize > 0 || !yielded) {
    const part = Buffer.concat(pending);
    yield { size: part.length, open: () => part };
  }
}
