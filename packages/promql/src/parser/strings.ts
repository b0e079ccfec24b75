// Go string literal unquoting (strconv.Unquote, with single-quoted strings allowed as
// Prometheus does) and Go-style quoting for printing.

export class StringLiteralError extends Error {
  override readonly name = 'StringLiteralError';
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Unquotes a `"..."`, `'...'` or backquoted literal including its quotes. */
export function unquoteString(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new StringLiteralError('invalid syntax');
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new StringLiteralError('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new StringLiteralError('invalid syntax');
  let out = '';
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === q || c === '\n') throw new StringLiteralError('invalid syntax');
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new StringLiteralError('invalid syntax');
    if (e in SIMPLE_ESCAPES) {
      flushBytes();
      out += SIMPLE_ESCAPES[e];
    } else if (e === q) {
      flushBytes();
      out += e;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new StringLiteralError('invalid syntax');
      const v = parseInt(hex, 16);
      i += n;
      if (e === 'x') bytes.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new StringLiteralError('invalid syntax');
        flushBytes();
        out += String.fromCodePoint(v);
      }
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new StringLiteralError('invalid syntax');
      bytes.push(parseInt(oct, 8));
      i += 2;
    } else {
      throw new StringLiteralError('invalid syntax');
    }
  }
  flushBytes();
  return out;
}

/** Go's %q for a string (strconv.Quote), enough for printing ASCII and UTF-8 text. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
