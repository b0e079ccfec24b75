// PromQL lexer. Produces the whole token list up front; `{...}` and `[...]` switch lexing
// modes the way Prometheus's lexer does (no keywords inside braces, durations in brackets).

import { AGGREGATE_OPS } from './ast';

export type TokenKind =
  | 'EOF'
  | 'IDENT'
  | 'METRIC_IDENT'
  | 'NUMBER'
  | 'DURATION'
  | 'STRING'
  | 'OP'
  | 'AGGR'
  | 'KEYWORD'
  | 'PUNCT'
  /** A lexing error; `text` is the message. Lexing stops after it. */
  | 'ERROR';

export interface Token {
  kind: TokenKind;
  /** Source text; lower-cased for keywords, aggregators and word operators. */
  text: string;
  /** Source text as written. */
  raw: string;
  pos: number;
  end: number;
}

class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

/** Go's %q for a rune: 'c'. */
function quoteRune(c: string): string {
  return c === "'" ? "'\\''" : c === '\\' ? "'\\\\'" : `'${c}'`;
}

/** Go's %#U for a rune: U+0063 'c'. */
function describeRune(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${quoteRune(c)}`;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'start',
  'end',
]);
const WORD_OPS = new Set(['and', 'or', 'unless', 'atan2']);
const AGGRS = new Set<string>(AGGREGATE_OPS);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isAlnum = (c: string | undefined): boolean => isAlpha(c) || isDigit(c);

/** Human description of a token as Prometheus prints it in "unexpected ..." errors. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'EOF':
      return 'end of input';
    case 'IDENT':
      return `identifier ${JSON.stringify(t.text)}`;
    case 'METRIC_IDENT':
      return `metric identifier ${JSON.stringify(t.text)}`;
    case 'NUMBER':
      return `number ${JSON.stringify(t.text)}`;
    case 'DURATION':
      return `duration ${JSON.stringify(t.text)}`;
    case 'STRING':
      return `string ${JSON.stringify(t.text)}`;
    case 'OP':
      return `<op:${t.raw}>`;
    case 'AGGR':
      return `<aggr:${t.raw}>`;
    case 'KEYWORD':
      return `<${t.raw}>`;
    default:
      return JSON.stringify(t.text);
  }
}

export class Lexer {
  private pos = 0;
  private readonly tokens: Token[] = [];
  private braceOpen = false;
  private bracketOpen = false;
  private parenDepth = 0;

  constructor(private readonly input: string) {}

  /** Lexes the whole input; a lexing error ends the list with an ERROR token. */
  lex(): Token[] {
    try {
      this.lexAll();
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      this.tokens.push({ kind: 'ERROR', text: e.message, raw: '', pos: e.pos, end: e.pos });
    }
    return this.tokens;
  }

  private lexAll(): void {
    const s = this.input;
    while (this.pos < s.length) {
      const c = s[this.pos];
      const start = this.pos;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.pos++;
      } else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else if (c === '"' || c === "'" || c === '`') {
        this.lexString(c);
      } else if (this.braceOpen) {
        this.lexInsideBraces(c, start);
      } else if (this.bracketOpen && isDigit(c) && this.tokens[this.tokens.length - 1]?.text !== ':') {
        this.lexDuration();
      } else if (isDigit(c) || (c === '.' && isDigit(s[this.pos + 1]))) {
        this.lexNumberOrDuration();
      } else if (isAlpha(c) || (c === ':' && !this.bracketOpen)) {
        if (this.bracketOpen) throw new LexError(`unexpected character in duration expression: ${quoteRune(c)}`, start);
        this.lexWord();
      } else {
        this.lexPunct(c, start);
      }
    }
    if (this.braceOpen) throw new LexError('unexpected end of input inside braces', this.pos);
    if (this.bracketOpen) {
      const last = this.tokens[this.tokens.length - 1];
      throw new LexError(last?.text === '[' ? 'missing unit character in duration' : 'unclosed left bracket', this.pos);
    }
    if (this.parenDepth > 0) throw new LexError('unclosed left parenthesis', this.pos);
    this.tokens.push({ kind: 'EOF', text: '', raw: '', pos: s.length, end: s.length });
  }

  private emit(kind: TokenKind, start: number, text = this.input.slice(start, this.pos)): void {
    this.tokens.push({ kind, text, raw: this.input.slice(start, this.pos), pos: start, end: this.pos });
  }

  private lexPunct(c: string, start: number): void {
    const s = this.input;
    const two = s.slice(this.pos, this.pos + 2);
    if (['==', '!=', '<=', '>='].includes(two)) {
      this.pos += 2;
      this.emit('OP', start);
      return;
    }
    this.pos++;
    switch (c) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '^':
      case '<':
      case '>':
        this.emit('OP', start);
        return;
      case '=':
        if (s[this.pos] === '~') throw new LexError(`unexpected character after '=': '~'`, start);
        this.emit('PUNCT', start);
        return;
      case '!':
        throw new LexError(`unexpected character after '!': ${quoteRune(s[this.pos] ?? '')}`, start);
      case '(':
        this.parenDepth++;
        this.emit('PUNCT', start);
        return;
      case ')':
        this.emit('PUNCT', start);
        if (--this.parenDepth < 0) throw new LexError("unexpected right parenthesis ')'", this.pos);
        return;
      case ',':
      case '@':
        this.emit('PUNCT', start);
        return;
      case ':':
        this.emit('PUNCT', start);
        return;
      case '{':
        this.braceOpen = true;
        this.emit('PUNCT', start);
        return;
      case '}':
        throw new LexError("unexpected character: '}'", start);
      case '[':
        if (this.bracketOpen) throw new LexError("unexpected left bracket '['", start);
        this.bracketOpen = true;
        this.emit('PUNCT', start);
        return;
      case ']':
        if (!this.bracketOpen) throw new LexError("unexpected right bracket ']'", start);
        this.bracketOpen = false;
        this.emit('PUNCT', start);
        return;
      default:
        throw new LexError(`unexpected character: ${quoteRune(c)}`, start);
    }
  }

  private lexInsideBraces(c: string, start: number): void {
    const s = this.input;
    if (isAlpha(c)) {
      while (isAlnum(s[this.pos])) this.pos++;
      this.emit('IDENT', start);
      return;
    }
    const two = s.slice(this.pos, this.pos + 2);
    if (two === '=~' || two === '!~' || two === '!=') {
      this.pos += 2;
      this.emit('OP', start);
      return;
    }
    this.pos++;
    if (c === '=' || c === ',') this.emit('PUNCT', start);
    else if (c === '}') {
      this.braceOpen = false;
      this.emit('PUNCT', start);
    } else if (c === '{') throw new LexError("unexpected left brace '{'", start);
    else throw new LexError(`unexpected character inside braces: ${quoteRune(c)}`, start);
  }

  private lexWord(): void {
    const s = this.input;
    const start = this.pos;
    while (isAlnum(s[this.pos]) || s[this.pos] === ':') this.pos++;
    const word = s.slice(start, this.pos);
    const lower = word.toLowerCase();
    if (word.includes(':')) this.emit('METRIC_IDENT', start);
    else if (lower === 'inf' || lower === 'nan') this.emit('NUMBER', start);
    else if (WORD_OPS.has(lower)) this.emit('OP', start, lower);
    else if (AGGRS.has(lower)) this.emit('AGGR', start, lower);
    else if (KEYWORDS.has(lower)) this.emit('KEYWORD', start, lower);
    else this.emit('IDENT', start);
  }

  /** Scans a number; true when it is complete (not followed by a letter or digit). */
  private scanNumber(): boolean {
    const s = this.input;
    let digits = /[0-9]/;
    if (s[this.pos] === '0' && (s[this.pos + 1] === 'x' || s[this.pos + 1] === 'X')) {
      this.pos += 2;
      digits = /[0-9a-fA-F]/;
    }
    while (this.pos < s.length && digits.test(s[this.pos])) this.pos++;
    if (s[this.pos] === '.') {
      this.pos++;
      while (this.pos < s.length && digits.test(s[this.pos])) this.pos++;
    }
    if (s[this.pos] === 'e' || s[this.pos] === 'E') {
      this.pos++;
      if (s[this.pos] === '+' || s[this.pos] === '-') this.pos++;
      while (isDigit(s[this.pos])) this.pos++;
    }
    return !isAlnum(s[this.pos]);
  }

  private accept(chars: string): boolean {
    const c = this.input[this.pos];
    if (c !== undefined && chars.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** After the leading digits of a duration: units and further digit/unit pairs (Prometheus's acceptRemainingDuration). */
  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      while (this.accept('0123456789'));
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    // Like Go's l.next(): the offending character counts towards the error text.
    const ok = !isAlnum(this.input[this.pos]);
    if (!ok) this.pos++;
    return ok;
  }

  private lexNumberOrDuration(): void {
    const start = this.pos;
    if (this.scanNumber()) {
      this.emit('NUMBER', start);
      return;
    }
    if (this.acceptRemainingDuration()) {
      this.emit('DURATION', start);
      return;
    }
    throw new LexError(`bad number or duration syntax: ${JSON.stringify(this.input.slice(start, this.pos))}`, start);
  }

  private lexDuration(): void {
    const start = this.pos;
    if (this.scanNumber()) throw new LexError('missing unit character in duration', start);
    if (!this.acceptRemainingDuration()) {
      throw new LexError(`bad duration syntax: ${JSON.stringify(this.input.slice(start, this.pos))}`, start);
    }
    this.emit('DURATION', start);
  }

  private lexString(q: string): void {
    const s = this.input;
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = s[this.pos];
      if (q === '`') {
        if (c === undefined) throw new LexError('unterminated raw string', start);
      } else if (c === undefined || c === '\n') {
        throw new LexError('unterminated quoted string', start);
      }
      this.pos++;
      if (c === '\\' && q !== '`') this.lexEscape(q, start);
      else if (c === q) break;
    }
    this.emit('STRING', start);
  }

  /** Validates one escape sequence after a backslash, with Prometheus's messages. */
  private lexEscape(q: string, start: number): void {
    const s = this.input;
    let ch = s[this.pos++];
    let n: number;
    let base: number;
    let max: number;
    if (ch === undefined) throw new LexError('escape sequence not terminated', start);
    if ('abfnrtv\\'.includes(ch) || ch === q) return;
    if (ch >= '0' && ch <= '7') [n, base, max] = [3, 8, 255];
    else if (ch === 'x') [n, base, max, ch] = [2, 16, 255, s[this.pos++]];
    else if (ch === 'u') [n, base, max, ch] = [4, 16, 0x10ffff, s[this.pos++]];
    else if (ch === 'U') [n, base, max, ch] = [8, 16, 0x10ffff, s[this.pos++]];
    else throw new LexError(`unknown escape sequence ${describeRune(ch)}`, start);
    let x = 0;
    while (n > 0) {
      const d = ch === undefined ? 99 : parseInt(ch, 16);
      if (Number.isNaN(d) || d >= base) {
        if (ch === undefined) throw new LexError('escape sequence not terminated', start);
        throw new LexError(`illegal character ${describeRune(ch)} in escape sequence`, start);
      }
      x = x * base + d;
      n--;
      if (n > 0) ch = s[this.pos++];
    }
    if (x > max || (x >= 0xd800 && x < 0xe000))
      throw new LexError('escape sequence is an invalid Unicode code point', start);
  }
}

export function lex(input: string): Token[] {
  return new Lexer(input).lex();
}
