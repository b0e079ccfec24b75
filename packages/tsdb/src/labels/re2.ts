// Go RE2 regular expressions (Prometheus label matchers) on the JavaScript engine: a
// parser for Go's `regexp/syntax` dialect (Perl flags) whose tree is emitted as an
// equivalent JS RegExp in `u` mode. Go-only syntax is translated (`(?P<n>…)`, `\Q…\E`,
// `\z`, `[[:alpha:]]`, flag groups such as `(?i:…)`, octal escapes); what RE2 rejects
// (backreferences, lookarounds, possessive or nested repetition) is rejected here too.
// Character classes are computed as explicit code point ranges so that Go's meaning of
// `.`, `\s`, `[^…]` and case folding does not depend on JS flag semantics.

export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

const MAX_CP = 0x10ffff;
const MAX_REPEAT = 1000;

/** Sorted, non-overlapping, non-adjacent inclusive code point ranges: [lo0, hi0, lo1, hi1, ...]. */
type Ranges = number[];

interface Flags {
  /** (?i) case-insensitive */
  i: boolean;
  /** (?m) ^ and $ match at line boundaries */
  m: boolean;
  /** (?s) . matches \n */
  s: boolean;
  /** (?U) ungreedy: swaps the meaning of x* and x*? */
  U: boolean;
}

export type RegexNode =
  | { t: 'lit'; cp: number; fold: boolean }
  | { t: 'any'; nl: boolean }
  | { t: 'class'; ranges: Ranges; props: string[]; negated: boolean }
  | { t: 'cat'; subs: RegexNode[] }
  | { t: 'alt'; subs: RegexNode[] }
  | { t: 'group'; sub: RegexNode }
  | { t: 'rep'; sub: RegexNode; min: number; max: number; greedy: boolean }
  | { t: 'assert'; kind: 'begin' | 'end' | 'bol' | 'eol' | 'wordb' | 'nwordb' };

// ---------------------------------------------------------------------------------------
// Range sets

function normalize(r: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i], r[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

function negate(r: Ranges): Ranges {
  const n = normalize(r);
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    if (n[i] > next) out.push(next, n[i] - 1);
    next = n[i + 1] + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

const PERL_CLASSES: Record<string, Ranges> = {
  d: [0x30, 0x39],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
};

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a, 0x5f, 0x5f],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

// Go's unicode.Categories; any other \p{Name} is a script.
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

// ---------------------------------------------------------------------------------------
// Case folding: the orbit of a code point is the set of code points that compare equal
// to it under Unicode simple case folding (what Go's SimpleFold cycles through). The JS
// engine's own `iu` matching uses the same folding, so it confirms each candidate pair.

let foldOrbits: Map<number, number[]> | undefined;
/** A case-insensitive backreference compares two characters under simple case folding. */
const SAME_FOLD = /^([^])\1$/iu;
let foldable: number[] | undefined;

function buildFoldTables(): void {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: number, b: number) => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const single = (s: string): number | undefined => {
    const cp = s.codePointAt(0)!;
    return s.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
  };
  for (let cp = 0; cp <= 0x1ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    const lower = s.toLowerCase();
    const upper = s.toUpperCase();
    if (lower === s && upper === s) continue;
    for (const cand of [lower, upper, upper.toLowerCase(), lower.toUpperCase()]) {
      const c = single(cand);
      if (c !== undefined && c !== cp && SAME_FOLD.test(s + cand)) union(cp, c);
    }
  }
  const orbits = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const root = find(cp);
    let o = orbits.get(root);
    if (o === undefined) orbits.set(root, (o = []));
    o.push(cp);
  }
  foldOrbits = new Map();
  for (const o of orbits.values()) {
    o.sort((a, b) => a - b);
    for (const cp of o) foldOrbits.set(cp, o);
  }
  foldable = [...foldOrbits.keys()].sort((a, b) => a - b);
}

/** The code points equal to `cp` under simple case folding (including itself), if there are others. */
export function foldOrbit(cp: number): number[] | undefined {
  if (foldOrbits === undefined) buildFoldTables();
  return foldOrbits!.get(cp);
}

/** Adds the case-fold orbit of every code point in the ranges. */
function foldRanges(r: Ranges): Ranges {
  if (foldOrbits === undefined) buildFoldTables();
  const out = [...r];
  const f = foldable!;
  for (let i = 0; i < r.length; i += 2) {
    let lo = 0;
    let hi = f.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f[mid] < r[i]) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo; j < f.length && f[j] <= r[i + 1]; j++) for (const c of foldOrbits!.get(f[j])!) out.push(c, c);
  }
  return normalize(out);
}

// ---------------------------------------------------------------------------------------
// Parser

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}
function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
function isAlnumAscii(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

class Parser {
  /** The pattern as code points, and the UTF-16 offset of each in `src`. */
  private chars: string[];
  private offsets: number[];
  private pos = 0;

  constructor(private readonly src: string) {
    this.chars = Array.from(src);
    this.offsets = new Array(this.chars.length + 1);
    let at = 0;
    this.chars.forEach((c, i) => {
      this.offsets[i] = at;
      at += c.length;
    });
    this.offsets[this.chars.length] = at;
  }

  private err(code: string, expr: string): never {
    throw new RegexSyntaxError(code, expr);
  }

  private peek(k = 0): string | undefined {
    return this.chars[this.pos + k];
  }

  /** The pattern from code point `from` on (a cheap slice: used for anchored lookahead). */
  private rest(from = this.pos): string {
    return this.src.slice(this.offsets[from]);
  }

  parse(): RegexNode {
    const node = this.parseAlt({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.chars.length) this.err('unexpected )', this.src);
    return node;
  }

  /** Alternation up to a `)` (not consumed) or the end; `depth` > 0 inside a group. */
  private parseAlt(flags: Flags, depth: number): RegexNode {
    const branches: RegexNode[] = [];
    let cur: RegexNode[] = [];
    let f = { ...flags };
    /** Where the last item started (for error messages) and whether it was a repetition. */
    let lastStart = -1;
    let lastWasRepeat = false;
    while (this.pos < this.chars.length) {
      const c = this.peek()!;
      if (c === ')') {
        if (depth === 0) this.err('unexpected )', this.src);
        break;
      }
      const start = this.pos;
      if (c === '|') {
        this.pos++;
        branches.push(cat(cur));
        cur = [];
        lastStart = -1;
        lastWasRepeat = false;
        continue;
      }
      const counted = c === '{' ? this.countedRepeat() : undefined;
      if (c === '*' || c === '+' || c === '?' || counted !== undefined) {
        const opStart = this.pos;
        let min: number;
        let max: number;
        if (counted !== undefined) {
          ({ min, max } = counted);
          this.pos += counted.length;
        } else {
          this.pos++;
          [min, max] = c === '*' ? [0, -1] : c === '+' ? [1, -1] : [0, 1];
        }
        let greedy = true;
        if (this.peek() === '?') {
          this.pos++;
          greedy = false;
        }
        const opText = this.chars.slice(opStart, this.pos).join('');
        if (cur.length === 0) this.err('missing argument to repetition operator', opText);
        if (lastWasRepeat)
          this.err('invalid nested repetition operator', this.chars.slice(lastStart, this.pos).join(''));
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) this.err('invalid repeat count', opText);
        if (f.U) greedy = !greedy;
        cur[cur.length - 1] = { t: 'rep', sub: cur[cur.length - 1], min, max, greedy };
        lastWasRepeat = true;
        continue;
      }
      lastWasRepeat = false;
      if (c === '(') {
        const g = this.parseGroupStart(f);
        if (g.setFlags) {
          // (?flags) changes the flags for the rest of the current group. Like Go, a
          // repetition right after it applies to the item before it.
          f = g.flags;
          lastWasRepeat = false;
          continue;
        }
        const sub = this.parseAlt(g.flags, depth + 1);
        if (this.peek() !== ')') this.err('missing closing )', this.src);
        this.pos++;
        cur.push({ t: 'group', sub });
      } else if (c === '[') {
        cur.push(this.parseClass(f));
      } else if (c === '\\') {
        const nodes = this.parseEscapeAtom(f);
        if (nodes.length === 0) {
          // An empty \Q\E is transparent, as in Go.
          lastWasRepeat = false;
          continue;
        }
        // \Q...\E: a repetition after it applies to its last character only.
        cur.push(...nodes);
      } else {
        this.pos++;
        if (c === '.') cur.push({ t: 'any', nl: f.s });
        else if (c === '^') cur.push({ t: 'assert', kind: f.m ? 'bol' : 'begin' });
        else if (c === '$') cur.push({ t: 'assert', kind: f.m ? 'eol' : 'end' });
        else cur.push(lit(c.codePointAt(0)!, f.i));
      }
      lastStart = start;
    }
    branches.push(cat(cur));
    return branches.length === 1 ? branches[0] : { t: 'alt', subs: branches };
  }

  /** `{n}`, `{n,}` or `{n,m}` at the current position (max -1: unbounded), or undefined: `{` is then a literal. */
  private countedRepeat(): { min: number; max: number; length: number } | undefined {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.rest());
    if (m === null) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
    return { min, max, length: m[0].length };
  }

  private parseGroupStart(flags: Flags): { flags: Flags; setFlags: boolean } {
    const start = this.pos;
    this.pos++; // (
    if (this.peek() !== '?') return { flags, setFlags: false };
    const tail = this.rest(start);
    // Go 1.19 (Prometheus 2.42) knows only the (?P<name>...) spelling of named groups.
    if (tail.startsWith('(?P<')) {
      const named = /^\(\?P<([^>]*)>/.exec(tail);
      if (named === null) this.err('invalid named capture', tail);
      const name = named[1];
      // Go 1.19 accepts duplicate names; only the spelling is checked.
      if (!/^[A-Za-z0-9_]+$/.test(name)) this.err('invalid named capture', named[0]);
      this.pos = start + Array.from(named[0]).length;
      return { flags, setFlags: false };
    }
    // Flags: (?i) (?i-s) (?-s) and, as in Go, the empty (?) (?:.
    const fl = /^\(\?([imsU]*)(?:-([imsU]+))?([:)])/.exec(tail);
    if (fl === null) this.err('invalid or unsupported Perl syntax', tail.slice(0, 3));
    this.pos = start + fl[0].length;
    const next = { ...flags };
    for (const ch of fl[1]) next[ch as keyof Flags] = true;
    for (const ch of fl[2] ?? '') next[ch as keyof Flags] = false;
    return { flags: next, setFlags: fl[3] === ')' };
  }

  /** An escape outside a class: assertions, \Q..\E, classes, or one literal. */
  private parseEscapeAtom(f: Flags): RegexNode[] {
    const start = this.pos;
    const c = this.peek(1);
    switch (c) {
      case 'A':
        this.pos += 2;
        return [{ t: 'assert', kind: 'begin' }];
      case 'z':
        this.pos += 2;
        return [{ t: 'assert', kind: 'end' }];
      case 'b':
        this.pos += 2;
        return [{ t: 'assert', kind: 'wordb' }];
      case 'B':
        this.pos += 2;
        return [{ t: 'assert', kind: 'nwordb' }];
      case 'Q': {
        this.pos += 2;
        const out: RegexNode[] = [];
        while (this.pos < this.chars.length) {
          if (this.peek() === '\\' && this.peek(1) === 'E') {
            this.pos += 2;
            break;
          }
          out.push(lit(this.peek()!.codePointAt(0)!, f.i));
          this.pos++;
        }
        return out;
      }
    }
    const cls = this.tryClassEscape(f);
    if (cls !== undefined) return [cls];
    this.pos = start;
    return [lit(this.parseEscapeChar(), f.i)];
  }

  /** \d \s \w (and negations) or \pX / \p{Name} / \PX at the current `\`, else undefined. */
  private tryClassEscape(f: Flags): (RegexNode & { t: 'class' }) | undefined {
    const c = this.peek(1);
    if (c !== undefined && 'dswDSW'.includes(c)) {
      this.pos += 2;
      return makeClass(PERL_CLASSES[c.toLowerCase()], [], c !== c.toLowerCase(), f.i);
    }
    if (c === 'p' || c === 'P') {
      const start = this.pos;
      this.pos += 2;
      let name: string;
      if (this.peek() === '{') {
        const close = this.chars.indexOf('}', this.pos);
        if (close < 0) this.err('invalid character class range', this.rest(start));
        name = this.chars.slice(this.pos + 1, close).join('');
        this.pos = close + 1;
      } else {
        if (this.peek() === undefined) this.err('invalid character class range', this.rest(start));
        name = this.peek()!;
        this.pos++;
      }
      let negated = c === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const expr = this.chars.slice(start, this.pos).join('');
      if (name === 'Any') return makeClass([0, MAX_CP], [], negated, false);
      const prop = CATEGORIES.has(name) ? `\\p{${name}}` : `\\p{Script=${name}}`;
      try {
        new RegExp(prop, 'u');
      } catch {
        this.err('invalid character class range', expr);
      }
      return makeClass([], [prop], negated, false);
    }
    return undefined;
  }

  /** A single-character escape (\n, \x41, \x{263a}, \101, \.) at the current `\`. */
  private parseEscapeChar(): number {
    const start = this.pos;
    this.pos++;
    const c = this.peek();
    if (c === undefined) this.err('trailing backslash at end of expression', '');
    this.pos++;
    const bad = (): never => this.err('invalid escape sequence', this.chars.slice(start, this.pos).join(''));
    if (c >= '1' && c <= '7' && !isOctal(this.peek())) bad(); // a backreference: RE2 has none
    if (c >= '0' && c <= '7') {
      let v = c.charCodeAt(0) - 48;
      for (let k = 1; k < 3 && isOctal(this.peek()); k++) v = v * 8 + (this.chars[this.pos++].charCodeAt(0) - 48);
      return v;
    }
    switch (c) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
      case 'x': {
        if (this.peek() === '{') {
          const close = this.chars.indexOf('}', this.pos);
          const digits = close < 0 ? '' : this.chars.slice(this.pos + 1, close).join('');
          if (close < 0 || !/^[0-9a-fA-F]+$/.test(digits) || parseInt(digits, 16) > MAX_CP) {
            this.pos = close < 0 ? this.chars.length : close + 1;
            bad();
          }
          this.pos = close + 1;
          return parseInt(digits, 16);
        }
        if (!isHex(this.peek()) || !isHex(this.peek(1))) bad();
        this.pos += 2;
        return parseInt(this.chars[this.pos - 2] + this.chars[this.pos - 1], 16);
      }
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !isAlnumAscii(c)) return cp;
    return bad();
  }

  private parseClass(f: Flags): RegexNode {
    const start = this.pos;
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    const props: string[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.err('missing closing ]', this.rest(start));
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const m = /^\[:(\^?)([a-z]*):\]/.exec(this.rest());
        if (m !== null) {
          const cls = POSIX_CLASSES[m[2]];
          if (cls === undefined) this.err('invalid character class range', m[0]);
          this.pos += m[0].length;
          addClass(ranges, props, makeClass(cls, [], m[1] === '^', f.i));
          continue;
        }
      }
      if (c === '\\') {
        const cls = this.tryClassEscape(f);
        if (cls !== undefined) {
          addClass(ranges, props, cls);
          continue;
        }
      }
      const itemStart = this.pos;
      const lo = this.parseClassChar(start);
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.pos++;
        hi = this.parseClassChar(start);
        if (hi < lo) this.err('invalid character class range', this.chars.slice(itemStart, this.pos).join(''));
      }
      ranges.push(lo, hi);
    }
    this.pos++; // ]
    const folded = f.i ? foldRanges(normalize(ranges)) : normalize(ranges);
    if (props.length === 0) return { t: 'class', ranges: negated ? negate(folded) : folded, props, negated: false };
    return { t: 'class', ranges: folded, props, negated };
  }

  private parseClassChar(classStart: number): number {
    const c = this.peek();
    if (c === undefined) this.err('missing closing ]', this.rest(classStart));
    if (c === '\\') return this.parseEscapeChar();
    this.pos++;
    return c.codePointAt(0)!;
  }
}

function lit(cp: number, fold: boolean): RegexNode {
  return { t: 'lit', cp, fold: fold && foldOrbit(cp) !== undefined };
}

function cat(subs: RegexNode[]): RegexNode {
  return subs.length === 1 ? subs[0] : { t: 'cat', subs };
}

function makeClass(ranges: Ranges, props: string[], negated: boolean, fold: boolean): RegexNode & { t: 'class' } {
  const r = fold ? foldRanges(normalize(ranges)) : normalize(ranges);
  if (props.length === 0) return { t: 'class', ranges: negated ? negate(r) : r, props, negated: false };
  return { t: 'class', ranges: r, props, negated };
}

/** Adds a class item to an enclosing class's ranges and property list. */
function addClass(ranges: Ranges, props: string[], cls: RegexNode & { t: 'class' }): void {
  if (!cls.negated) {
    ranges.push(...cls.ranges);
    props.push(...cls.props);
  } else if (cls.ranges.length === 0 && cls.props.length === 1) {
    props.push(cls.props[0].replace('\\p', '\\P'));
  } else {
    throw new RegexSyntaxError('unsupported negated class inside a class', cls.props.join(''));
  }
}

/** A predicate for the code points of a class node. */
export function classTester(n: RegexNode & { t: 'class' }): (cp: number) => boolean {
  const r = n.ranges;
  const inRanges = (cp: number): boolean => {
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[2 * mid + 1] < cp) lo = mid + 1;
      else hi = mid;
    }
    return lo < r.length / 2 && r[2 * lo] <= cp;
  };
  if (n.props.length === 0) return inRanges;
  const props = new RegExp(`^[${n.props.join('')}]$`, 'u');
  const member = (cp: number) => inRanges(cp) || props.test(String.fromCodePoint(cp));
  return n.negated ? (cp) => !member(cp) : member;
}

export function parseRe2(src: string): RegexNode {
  return new Parser(src).parse();
}

/**
 * Parses a label matcher regex the way Prometheus 2.42 validates it: Go compiles
 * `^(?:v)$` first and then parses `v` alone, so an unterminated `\Q` (which swallows
 * the wrapper) is an error, and of two errors the wrapped pattern's is reported.
 */
export function parsePrometheusRegex(v: string): RegexNode {
  let tree: RegexNode | undefined;
  let alone: unknown;
  try {
    tree = parseRe2(v);
  } catch (e) {
    alone = e;
  }
  // A pattern that parses alone also parses wrapped, unless \Q runs into the wrapper.
  if (alone !== undefined || v.includes('\\Q')) parseRe2(`^(?:${v})$`);
  if (alone !== undefined) throw alone;
  return tree!;
}

// ---------------------------------------------------------------------------------------
// Emitter

function cpEscape(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCharCode(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

function emitClass(ranges: Ranges, props: string[], negated: boolean): string {
  let s = negated ? '[^' : '[';
  for (let i = 0; i < ranges.length; i += 2) {
    s += ranges[i] === ranges[i + 1] ? cpEscape(ranges[i]) : `${cpEscape(ranges[i])}-${cpEscape(ranges[i + 1])}`;
  }
  return s + props.join('') + ']';
}

const NOT_NEWLINE: Ranges = [0, 9, 11, MAX_CP];

export function emitJs(n: RegexNode): string {
  switch (n.t) {
    case 'lit': {
      const o = n.fold ? foldOrbit(n.cp) : undefined;
      return o === undefined ? cpEscape(n.cp) : emitClass(normalize(o.flatMap((c) => [c, c])), [], false);
    }
    case 'any':
      return n.nl ? '[^]' : emitClass(NOT_NEWLINE, [], false);
    case 'class':
      return emitClass(n.ranges, n.props, n.negated);
    case 'cat':
      return n.subs.map(emitJs).join('');
    case 'alt':
      return n.subs.map(emitJs).join('|');
    case 'group':
      return `(?:${emitJs(n.sub)})`;
    case 'rep': {
      const inner = emitJs(n.sub);
      const atom =
        n.sub.t === 'lit' || n.sub.t === 'any' || n.sub.t === 'class' || n.sub.t === 'group' ? inner : `(?:${inner})`;
      let q: string;
      if (n.min === 0 && n.max === -1) q = '*';
      else if (n.min === 1 && n.max === -1) q = '+';
      else if (n.min === 0 && n.max === 1) q = '?';
      else if (n.max === -1) q = `{${n.min},}`;
      else if (n.min === n.max) q = `{${n.min}}`;
      else q = `{${n.min},${n.max}}`;
      return atom + q + (n.greedy ? '' : '?');
    }
    case 'assert':
      switch (n.kind) {
        case 'begin':
          return '^';
        case 'end':
          return '$';
        case 'bol':
          return '(?:^|(?<=\\n))';
        case 'eol':
          return '(?:$|(?=\\n))';
        case 'wordb':
          return '\\b';
        case 'nwordb':
          return '\\B';
      }
  }
}

/** The JS RegExp matching whole strings only (`^(?:re)$`, as Prometheus anchors label regexes). */
export function compileAnchoredRe2(tree: RegexNode): RegExp {
  return new RegExp(`^(?:${emitJs(tree)})$`, 'u');
}
