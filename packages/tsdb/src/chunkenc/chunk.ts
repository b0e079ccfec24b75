import { CorruptionError } from '../encoding';

/** Chunk encodings as numbered by Prometheus (`chunkenc.Encoding`). */
export const EncNone = 0;
export const EncXOR = 1;
export const EncHistogram = 2;
export const EncFloatHistogram = 3;

/** An encoded chunk of any encoding, as stored in segment files. */
export interface Chunk {
  readonly encoding: number;
  readonly data: Uint8Array;
}

export function encodingName(encoding: number): string {
  switch (encoding) {
    case EncNone:
      return 'none';
    case EncXOR:
      return 'XOR';
    case EncHistogram:
      return 'histogram';
    case EncFloatHistogram:
      return 'floathistogram';
    default:
      return `<unknown encoding ${encoding}>`;
  }
}

/** Sample count from the chunk's 2-byte big-endian header (shared by all Prometheus encodings). */
export function chunkNumSamples(chunk: Chunk): number {
  if (chunk.data.length < 2)
    throw new CorruptionError(`chunk of ${chunk.data.length} bytes has no sample count header`);
  return (chunk.data[0] << 8) | chunk.data[1];
}
