import { HashringConfigError } from './errors';

/**
 * `JSON.parse`, and on failure an error naming the source (a file path or a flag), the
 * line, column and offset of the first syntax error, and what was expected there. V8's own
 * messages do not always carry a position, so a small scanner locates it.
 */
export function parseJsonWithPosition(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const found = new JsonSyntaxScanner(text).firstError() ?? { offset: 0, reason: (err as Error).message };
    const { line, column } = lineAndColumn(text, found.offset);
    throw new HashringConfigError(
      `${source}: invalid JSON at line ${line}, column ${column} (offset ${found.offset}): ${found.reason}`,
    );
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** RFC 8259 grammar checker that stops at the first violation. */
class JsonSyntaxScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  firstError(): { offset: number; reason: string } | undefined {
    try {
      this.value();
      this.space();
      if (this.pos < this.text.length) this.fail('unexpected data after the JSON value');
      return undefined;
    } catch (err) {
      if (err instanceof JsonSyntax) return { offset: err.offset, reason: err.reason };
      throw err;
    }
  }

  private fail(reason: string): never {
    const found = this.pos < this.text.length ? `${JSON.stringify(this.text[this.pos])}` : 'end of input';
    throw new JsonSyntax(this.pos, `${reason}, found ${found}`);
  }

  private space(): void {
    while (/[ \t\n\r]/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private value(): void {
    this.space();
    const c = this.text[this.pos];
    if (c === '{') this.container('}', () => this.member());
    else if (c === '[') this.container(']', () => this.value());
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else if (!['true', 'false', 'null'].some((word) => this.literal(word))) this.fail('expected a value');
  }

  private container(close: string, element: () => void): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    while (true) {
      element();
      this.space();
      const c = this.text[this.pos];
      if (c === close) break;
      if (c !== ',') this.fail(`expected ',' or '${close}'`);
      this.pos++;
    }
    this.pos++;
  }

  private member(): void {
    this.space();
    if (this.text[this.pos] !== '"') this.fail('expected a double-quoted property name');
    this.string();
    this.space();
    if (this.text[this.pos] !== ':') this.fail("expected ':' after the property name");
    this.pos++;
    this.value();
  }

  private string(): void {
    this.pos++;
    while (true) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') break;
      if (c < ' ') this.fail('control character in string');
      if (c === '\\') {
        this.pos++;
        if (this.text[this.pos] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 1, this.pos + 5))) this.fail('bad \\u escape');
          this.pos += 4;
        } else if (!'"\\/bfnrt'.includes(this.text[this.pos] ?? 'x')) this.fail('bad escape');
      }
      this.pos++;
    }
    this.pos++;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) this.fail('malformed number');
    this.pos = NUMBER.lastIndex;
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }
}
