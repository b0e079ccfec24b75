import { isObjNotFoundErr, type Bucket } from '@thanos-ts/objstore';
import { CorruptionError, type ByteRangeSource } from '@thanos-ts/tsdb';
import { BucketUnavailableError } from './errors';

/** Where the bytes a source reads are counted (metrics, benchmarks). */
export type FetchCounter = (bytes: number) => void;

/** Reads a range of an object, mapping transport failures to {@link BucketUnavailableError}. */
export async function readObjectRange(
  bucket: Bucket,
  name: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await bucket.getRange(name, offset, length);
  } catch (err) {
    if (isObjNotFoundErr(err)) throw new CorruptionError(`object vanished from bucket "${bucket.name}"`, name, offset);
    throw new BucketUnavailableError(bucket.name, name, err);
  }
  if (length >= 0 && bytes.length !== length) {
    throw new CorruptionError(`object is truncated: wanted ${length} bytes, got ${bytes.length}`, name, offset);
  }
  return bytes;
}

/** One object of the bucket as a {@link ByteRangeSource} of known size. */
export class BucketObjectSource implements ByteRangeSource {
  constructor(
    private readonly bucket: Bucket,
    readonly name: string,
    readonly size: number,
    private readonly onFetch: FetchCounter = () => {},
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new CorruptionError(
        `read of ${length} bytes at ${offset} is outside the ${this.size}-byte object`,
        this.name,
        offset,
      );
    }
    if (length === 0) return new Uint8Array(0);
    const bytes = await readObjectRange(this.bucket, this.name, offset, length);
    this.onFetch(bytes.length);
    return bytes;
  }
}
