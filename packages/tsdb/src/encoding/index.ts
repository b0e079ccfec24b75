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
