// Float64Array values seen as 32-bit words, so that bit patterns (NaN payloads such as
// the stale marker) are read and written without passing through JS numbers.

/** Index of the high word of a float64 in a Uint32Array view (platform byte order). */
export const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
export const LO_WORD = 1 - HI_WORD;

/** A Uint32Array over the same memory as `values`: value i is words 2i+HI_WORD, 2i+LO_WORD. */
export function valueWords(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}
