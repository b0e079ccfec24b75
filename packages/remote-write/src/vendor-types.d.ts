// Type declarations for untyped dependencies used by the tests and benchmarks.
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

declare module 'xxhashjs' {
  interface UINT64 {
    toString(radix?: number): string;
  }
  const XXH: {
    h64(data: Uint8Array | string, seed: number): UINT64;
  };
  export default XXH;
}
