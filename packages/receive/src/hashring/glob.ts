import { GlobPatternError } from './errors';

/** Go `path/filepath.Match` on Unix: `*` and `?` never match `/`; character classes may. */
const SEPARATOR = 0x2f;

type Token = { kind: 'literal'; cp: number } | { kind: 'any' } | { kind: 'class'; negated: boolean; ranges: number[] };

/** A run of single-character tokens, optionally preceded by `*`. */
interface Chunk {
  star: boolean;
  tokens: Token[];
}

/**
 * A tenant glob compiled once, with the syntax of Go's `filepath.Match`: `*`, `?`,
 * `[abc]`, `[a-z]`, `[^…]` (only `^` negates), `\` escapes. Go reports a malformed pattern
 * only when a match reaches the bad part; compiling checks the whole pattern up front.
 * Matching follows Go's chunk-by-chunk algorithm (each chunk at its leftmost fit), which
 * keeps it linear in the name for any number of stars.
 */
export class GlobPattern {
  private readonly chunks: Chunk[];

  constructor(readonly pattern: string) {
    this.chunks = compile(pattern);
  }

  matches(name: string): boolean {
    const cps = Array.from(name, (ch) => ch.codePointAt(0)!);
    let pos = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const { star, tokens } = this.chunks[c];
      if (star && tokens.length === 0) return !cps.slice(pos).includes(SEPARATOR);
      const last = c === this.chunks.length - 1;
      // The last chunk must also consume the rest of the name.
      const fit = (at: number): number => {
        const end = matchTokens(tokens, cps, at);
        return end >= 0 && (!last || end === cps.length) ? end : -1;
      };
      let end = fit(pos);
      for (let skip = pos; end < 0 && star && skip < cps.length && cps[skip] !== SEPARATOR; skip++) end = fit(skip + 1);
      if (end < 0) return false;
      pos = end;
    }
    return pos === cps.length;
  }
}

function compile(pattern: string): Chunk[] {
  const cps = Array.from(pattern, (ch) => ch.codePointAt(0)!);
  const chunks: Chunk[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new GlobPatternError(pattern, reason);
  };
  // One class member: a char (not `-` or `]` unless escaped); the class must continue after it.
  const member = (): number => {
    if (i >= cps.length) fail('unterminated character class');
    if (cps[i] === 0x2d || cps[i] === 0x5d) fail(`unexpected ${String.fromCodePoint(cps[i])} in character class`);
    if (cps[i] === 0x5c && ++i >= cps.length) fail('pattern ends with an escape');
    const cp = cps[i++];
    if (i >= cps.length) fail('unterminated character class');
    return cp;
  };
  while (i < cps.length) {
    const star = cps[i] === 0x2a;
    while (cps[i] === 0x2a) i++;
    const tokens: Token[] = [];
    while (i < cps.length && cps[i] !== 0x2a) {
      const cp = cps[i++];
      if (cp === 0x3f) tokens.push({ kind: 'any' });
      else if (cp === 0x5c) {
        if (i >= cps.length) fail('pattern ends with an escape');
        tokens.push({ kind: 'literal', cp: cps[i++] });
      } else if (cp === 0x5b) {
        if (i >= cps.length) fail('unterminated character class');
        const negated = cps[i] === 0x5e;
        if (negated) i++;
        const ranges: number[] = [];
        while (ranges.length === 0 || cps[i] !== 0x5d) {
          const lo = member();
          let hi = lo;
          if (cps[i] === 0x2d) {
            i++;
            hi = member();
          }
          ranges.push(lo, hi);
        }
        i++;
        tokens.push({ kind: 'class', negated, ranges });
      } else tokens.push({ kind: 'literal', cp });
    }
    chunks.push({ star, tokens });
  }
  return chunks;
}

/** Matches `tokens` at `name[at]`; returns the position after the match, or -1. */
function matchTokens(tokens: Token[], name: number[], at: number): number {
  let n = at;
  for (const token of tokens) {
    if (n >= name.length) return -1;
    const cp = name[n++];
    if (token.kind === 'literal' && cp !== token.cp) return -1;
    if (token.kind === 'any' && cp === SEPARATOR) return -1;
    if (token.kind === 'class' && inClass(token.ranges, cp) === token.negated) return -1;
  }
  return n;
}

function inClass(ranges: number[], cp: number): boolean {
  for (let r = 0; r < ranges.length; r += 2) if (ranges[r] <= cp && cp <= ranges[r + 1]) return true;
  return false;
}
