export { crc32c } from './crc32c';
export { CorruptionError } from './errors';
export {
  EncodingBuffer,
  DecodingBuffer,
  writeUvarint,
  writeVarint,
  zigzagEncode,
  zigzagDecode,
  uvarintSize,
  clampInt64,
} from './buffers';
export { BufferByteSource, FileByteSource, isWindowed } from './source';
export type { ByteRangeSource, WindowedByteSource } from './source';
