/**
 * A TSDB file that cannot be decoded. Names the file (when known) and the byte offset so
 * that an operator can find the damage; every reader throws this instead of a RangeError.
 */
export class CorruptionError extends Error {
  override readonly name = 'CorruptionError';
  constructor(
    readonly reason: string,
    readonly file?: string,
    readonly offset?: number,
  ) {
    super(`${file ?? '<buffer>'}${offset === undefined ? '' : ` at offset ${offset}`}: ${reason}`);
  }

  /** The same error, attributed to a file (readers of sub-buffers do not know it). */
  inFile(file: string, baseOffset = 0): CorruptionError {
    return new CorruptionError(this.reason, file, this.offset === undefined ? undefined : baseOffset + this.offset);
  }
}
