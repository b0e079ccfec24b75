// Translation of Go RE2 regular expressions (label matchers, label_replace) into JavaScript
// RegExp source with the same matching behaviour, and RE2's syntax errors. Prometheus anchors
// every such regex as ^(?:re)$ before compiling; errors quote fragments of that anchored text.
//
// The output uses the `u` flag and spells out what JS would read differently: `.` (RE2 excludes
// only "\n"), `\s` (RE2: [\t\n\f\r ]), case-insensitive groups (expanded to classes, as JS
// before Node 23 has no inline modifiers), `(?s)`, `(?m)`, `(?U)`, `\Q..\E`, POSIX classes.

export class RegexError extends Error {
  override readonly name = 'RegexError';
}

type Range = [number, number];

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/** RE2's \s. */
const SPACE: Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const PERL_CLASSES: Record<string, Range[]> = { d: POSIX_CLASSES.digit, s: SPACE, w: POSIX_CLASSES.word };

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

/** A code point written for use inside a JS `u` character class or as a literal. */
function cp(c: number): string {
  return `\\u{${c.toString(16)}}`;
}

function rangesToClassBody(ranges: Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`)).join('');
}

/** Unicode blocks that contain cased letters. */
const CASED_BLOCKS: Range[] = [
  [0x41, 0x24f],
  [0x345, 0x58f],
  [0x10a0, 0x10ff],
  [0x13a0, 0x13ff],
  [0x1c80, 0x1cbf],
  [0x1d00, 0x1fff],
  [0x2100, 0x218f],
  [0x24b6, 0x24e9],
  [0x2c00, 0x2d2f],
  [0xa640, 0xa7ff],
  [0xab70, 0xabbf],
  [0xff21, 0xff5a],
  [0x10400, 0x104ff],
  [0x10c80, 0x10cff],
  [0x118a0, 0x118ff],
  [0x16e40, 0x16e9f],
  [0x1e900, 0x1e94f],
];

let foldOrbits: Map<number, number[]> | null = null;

/** Case-folding orbits (like Go's unicode.SimpleFold: k, K and the Kelvin sign are one orbit). */
function orbits(): Map<number, number[]> {
  if (foldOrbits) return foldOrbits;
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
    if (!parent.has(rb)) parent.set(rb, rb);
  };
  for (const [lo, hi] of CASED_BLOCKS) {
    for (let c = lo; c <= hi; c++) {
      const ch = String.fromCodePoint(c);
      for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
        if (v !== ch && [...v].length === 1) union(c, v.codePointAt(0)!);
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (const c of parent.keys()) {
    const r = find(c);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(c);
  }
  foldOrbits = new Map();
  for (const g of groups.values()) for (const c of g) foldOrbits.set(c, g);
  return foldOrbits;
}

/** The other members of c's case-folding orbit. */
function caseVariants(c: number): number[] {
  return (orbits().get(c) ?? []).filter((v) => v !== c);
}

function foldRanges(ranges: Range[]): Range[] {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    // Huge ranges (e.g. a negated class's complement) are left as they are.
    if (hi - lo > 0x3000) continue;
    for (let c = lo; c <= hi; c++) for (const v of caseVariants(c)) out.push([v, v]);
  }
  return out;
}

type EscapeValue = number | Range[] | { property: string } | { assertion: string };

interface Flags {
  fold: boolean;
  dotAll: boolean;
  multiLine: boolean;
  ungreedy: boolean;
}

const MAX_REPEAT = 1000;

class Translator {
  private i = 0;
  private out = '';
  private flags: Flags = { fold: false, dotAll: false, multiLine: false, ungreedy: false };
  private readonly groups: Flags[] = [];
  /** Whether the last emitted item can take a repetition operator. */
  private atom = false;
  /** Start (in src) of the last repetition operator, when the last item was one. */
  private lastRepeat = -1;

  constructor(private readonly src: string) {}

  private fail(code: string, fragment: string): never {
    throw new RegexError(`${code}: \`${fragment}\``);
  }

  run(): string {
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '*' || c === '+' || c === '?' || (c === '{' && this.repeatCount() !== null)) {
        this.repetition();
        continue;
      }
      this.lastRepeat = -1;
      switch (c) {
        case '(':
          this.openGroup();
          break;
        case ')':
          if (this.groups.length === 0) this.fail('unexpected )', s);
          this.flags = this.groups.pop()!;
          this.out += ')';
          this.i++;
          this.atom = true;
          break;
        case '|':
          this.out += '|';
          this.i++;
          this.atom = false;
          break;
        case '^':
          this.out += this.flags.multiLine ? '(?:^|(?<=\\n))' : '^';
          this.i++;
          this.atom = true;
          break;
        case '$':
          this.out += this.flags.multiLine ? '(?:$|(?=\\n))' : '$';
          this.i++;
          this.atom = true;
          break;
        case '.':
          this.out += this.flags.dotAll ? '[\\s\\S]' : '[^\\n]';
          this.i++;
          this.atom = true;
          break;
        case '[':
          this.charClass();
          break;
        case '\\':
          this.escape();
          break;
        default: {
          const ch = s.codePointAt(this.i)!;
          this.literal(ch);
          this.i += ch > 0xffff ? 2 : 1;
        }
      }
    }
    if (this.groups.length > 0) this.fail('missing closing )', s);
    return this.out;
  }

  private literal(c: number): void {
    const variants = this.flags.fold ? caseVariants(c) : [];
    this.out += variants.length ? `[${[c, ...variants].map(cp).join('')}]` : cp(c);
    this.atom = true;
  }

  /** `{n}`, `{n,}`, `{n,m}` at this.i, or null when the brace is a literal. */
  private repeatCount(): { text: string; min: number; max: number | null } | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
    if (!m) return null;
    return {
      text: m[0],
      min: Number(m[1]),
      max: m[2] === undefined ? Number(m[1]) : m[3] === '' ? null : Number(m[3]),
    };
  }

  private repetition(): void {
    const s = this.src;
    const start = this.i;
    let op = s[this.i];
    if (op === '{') {
      const r = this.repeatCount()!;
      op = r.text;
      if (r.min > MAX_REPEAT || (r.max !== null && (r.max > MAX_REPEAT || r.max < r.min)))
        this.fail('invalid repeat count', op);
    }
    this.i += op.length;
    let lazy = false;
    if (s[this.i] === '?') {
      lazy = true;
      this.i++;
    }
    if (this.lastRepeat >= 0) this.fail('invalid nested repetition operator', s.slice(this.lastRepeat, this.i));
    if (!this.atom) this.fail('missing argument to repetition operator', s.slice(start, this.i));
    this.out += op + (lazy !== this.flags.ungreedy ? '?' : '');
    this.lastRepeat = start;
  }

  private openGroup(): void {
    const s = this.src;
    const rest = s.slice(this.i);
    const named = /^\(\?P<([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      this.groups.push({ ...this.flags });
      this.out += `(?<${named[1]}>`;
      this.i += named[0].length;
      this.atom = false;
      return;
    }
    if (rest.startsWith('(?')) {
      const fl = /^\(\?([imsU-]*)(:|\))/.exec(rest);
      if (!fl) this.fail('invalid or unsupported Perl syntax', rest.slice(0, 3));
      const saved = { ...this.flags };
      let on = true;
      for (const f of fl[1]) {
        if (f === '-') on = false;
        else if (f === 'i') this.flags.fold = on;
        else if (f === 's') this.flags.dotAll = on;
        else if (f === 'm') this.flags.multiLine = on;
        else this.flags.ungreedy = on;
      }
      this.i += fl[0].length;
      if (fl[2] === ':') {
        this.groups.push(saved);
        this.out += '(?:';
        this.atom = false;
      }
      return;
    }
    this.groups.push({ ...this.flags });
    this.out += '(';
    this.i++;
    this.atom = false;
  }

  /** Parses an escape at this.i. */
  private readEscape(inClass: boolean): EscapeValue {
    const s = this.src;
    const start = this.i;
    const c = s[this.i + 1];
    if (c === undefined) this.fail('trailing backslash at end of expression', '');
    this.i += 2;
    if (c >= '1' && c <= '7' && !/[0-7]/.test(s[this.i] ?? ''))
      this.fail('invalid escape sequence', s.slice(start, this.i));
    if (c >= '0' && c <= '7') {
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(s[this.i] ?? '')) digits += s[this.i++];
      return parseInt(digits, 8);
    }
    if (c === 'x') {
      const m = /^\{([0-9a-fA-F]+)\}|^([0-9a-fA-F]{2})/.exec(s.slice(this.i));
      if (!m || parseInt(m[1] ?? m[2], 16) > 0x10ffff)
        this.fail('invalid escape sequence', s.slice(start, this.i + (m ? m[0].length : 0)));
      this.i += m[0].length;
      return parseInt(m[1] ?? m[2], 16);
    }
    const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    if (c in simple) return simple[c];
    const lower = c.toLowerCase();
    if (lower in PERL_CLASSES) return c === lower ? PERL_CLASSES[lower] : complement(PERL_CLASSES[lower]);
    if (c === 'p' || c === 'P') return this.unicodeClass(start, c === 'P');
    if (/[A-Za-z0-9]/.test(c)) {
      if (!inClass && 'bBAz'.includes(c)) return { assertion: c };
      this.fail('invalid escape sequence', s.slice(start, this.i));
    }
    return c.codePointAt(0)!;
  }

  /** \pL, \p{Greek}, \P{Lu}, as a JS property escape. */
  private unicodeClass(start: number, negated: boolean): { property: string } {
    const s = this.src;
    const m = /^\{(\^?)([A-Za-z_]+)\}|^([A-Za-z])/.exec(s.slice(this.i));
    if (!m) this.fail('invalid character class range', s.slice(start, this.i + 1));
    this.i += m[0].length;
    const name = m[2] ?? m[3];
    const neg = negated !== (m[1] === '^');
    const prop = /^[A-Z][a-z]?$/.test(name) ? name : name === 'Any' ? 'Any' : `Script=${name}`;
    try {
      new RegExp(`\\p{${prop}}`, 'u');
    } catch {
      this.fail('invalid character class range', s.slice(start, this.i));
    }
    return { property: `\\${neg ? 'P' : 'p'}{${prop}}` };
  }

  private escape(): void {
    const s = this.src;
    if (s[this.i + 1] === 'Q') {
      const end = s.indexOf('\\E', this.i + 2);
      const lit = end < 0 ? s.slice(this.i + 2) : s.slice(this.i + 2, end);
      this.i = end < 0 ? s.length : end + 2;
      for (const ch of lit) this.literal(ch.codePointAt(0)!);
      return;
    }
    const v = this.readEscape(false);
    if (typeof v === 'number') {
      this.literal(v);
    } else if (Array.isArray(v)) {
      this.out += `[${rangesToClassBody(v)}]`;
      this.atom = true;
    } else if ('property' in v) {
      this.out += v.property;
      this.atom = true;
    } else {
      const c = v.assertion;
      this.out += c === 'A' ? '^' : c === 'z' ? '$' : `\\${c}`;
      this.atom = true;
    }
  }

  private charClass(): void {
    const s = this.src;
    const start = this.i;
    this.i++;
    let negated = false;
    if (s[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    const props: string[] = [];
    let first = true;
    for (;;) {
      if (this.i >= s.length) this.fail('missing closing ]', s.slice(start));
      const c = s[this.i];
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && s[this.i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(s.slice(this.i));
        if (m) {
          const cls = POSIX_CLASSES[m[2]];
          if (!cls) this.fail('invalid character class range', m[0]);
          ranges.push(...(m[1] ? complement(cls) : cls));
          this.i += m[0].length;
          continue;
        }
      }
      const lo = this.classAtom();
      if (Array.isArray(lo)) {
        ranges.push(...lo);
        continue;
      }
      if (typeof lo !== 'number') {
        props.push(lo.property);
        continue;
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        const rangeStart = this.i - 1;
        this.i++;
        const hi = this.classAtom();
        if (typeof hi !== 'number') this.fail('invalid character class range', s.slice(rangeStart, this.i));
        if (hi < lo)
          this.fail('invalid character class range', `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    const all = this.flags.fold ? foldRanges(ranges) : ranges;
    const body = rangesToClassBody(all) + props.join('');
    this.out += negated ? `[^${body}]` : body === '' ? '[]' : `[${body}]`;
    this.atom = true;
  }

  /** One class member: a code point, ranges (\d, \s...) or a property (\pL). */
  private classAtom(): number | Range[] | { property: string } {
    const s = this.src;
    if (s[this.i] === '\\') {
      const v = this.readEscape(true);
      if (typeof v === 'object' && 'assertion' in v) this.fail('invalid escape sequence', s.slice(this.i - 2, this.i));
      return v;
    }
    const c = s.codePointAt(this.i)!;
    this.i += c > 0xffff ? 2 : 1;
    return c;
  }
}

/** Translates RE2 source (already anchored by the caller) into JS source for the `u` flag. */
export function translateGoRegex(src: string): string {
  return new Translator(src).run();
}

const compiled = new Map<string, RegExp>();
const MAX_CACHED = 1000;

/** Compiles `^(?:src)$` with RE2 semantics; throws RegexError with Go's message on bad syntax. */
export function compileAnchoredRegex(src: string): RegExp {
  let re = compiled.get(src);
  if (!re) {
    re = compile(src);
    // label_replace compiles its regex at every step; keep recent ones.
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(src, re);
  }
  return re;
}

function compile(src: string): RegExp {
  const anchored = '^(?:' + src + ')$';
  try {
    return new RegExp(translateGoRegex(anchored), 'u');
  } catch (e) {
    const detail = e instanceof RegexError ? e.message : (e as Error).message;
    throw new RegexError(`error parsing regexp: ${detail}`);
  }
}

/**
 * Expands `$1`, `${1}`, `$name`, `${name}` and `$$` in `template` like Go's Regexp.Expand:
 * a name is the longest run of letters, digits and underscores; unknown groups expand to "".
 */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(inner)) {
        out += c;
        continue;
      }
      name = inner;
      end = close;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      end = i + name.length;
    }
    if (/^[0-9]+$/.test(name)) {
      const idx = Number(name);
      if (idx < m.length) out += m[idx] ?? '';
    } else {
      out += m.groups?.[name] ?? '';
    }
    i = end;
  }
  return out;
}
