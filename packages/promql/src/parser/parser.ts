// Hand-written PromQL parser: recursive descent with precedence climbing for binary
// operators, mirroring the grammar, precedences and semantic checks of Prometheus 2.42.

import { INT64_LIMIT, parseGoNumber } from '../numbers';
import {
  children,
  exprType,
  isComparisonOp,
  isSetOp,
  type AggregateExpr,
  type AggregateOp,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type Expr,
  type LabelMatcher,
  type MatchType,
  type PosRange,
  type SubqueryExpr,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast';
import { DurationError, parseDuration } from './duration';
import { FUNCTIONS } from './functions';
import { describeToken, lex, type Token } from './lexer';
import { compileAnchoredRegex, RegexError } from './regex';
import { StringLiteralError, unquoteString } from './strings';

/** Nesting beyond this depth is rejected so that deep inputs give an error, not a stack overflow. */
export const MAX_NESTING_DEPTH = 500;

export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly query: string,
    readonly pos: PosRange,
    readonly detail: string,
  ) {
    const { line, col } = lineCol(query, pos.start);
    super(`${line}:${col}: parse error: ${detail}`);
  }
}

/** Go's %f: six decimals, with +Inf/-Inf/NaN spelled as Go does. */
function formatGoFixed(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

function lineCol(input: string, pos: number): { line: number; col: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos && i < input.length; i++) {
    if (input[i] === '\n') {
      line++;
      lastBreak = i;
    }
  }
  return { line, col: pos - lastBreak };
}

const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
const MUL_PRECEDENCE = 5;

const TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};

export function typeName(t: ValueType): string {
  return TYPE_NAMES[t];
}

export function newLabelMatcher(type: MatchType, name: string, value: string): LabelMatcher {
  if (type === '=~' || type === '!~') return { type, name, value, re: compileAnchoredRegex(value) };
  return { type, name, value };
}

export function matchesValue(m: LabelMatcher, v: string): boolean {
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.re!.test(v);
    case '!~':
      return !m.re!.test(v);
  }
}

class Parser {
  private toks: Token[] = [];
  private i = 0;
  private depth = 0;

  constructor(private readonly input: string) {}

  parse(): Expr {
    this.toks = lex(this.input);
    if (this.peek().kind === 'EOF') this.fail({ start: 0, end: 0 }, 'no expression found in input');
    const e = this.parseExpr(0);
    const t = this.peek();
    if (t.kind !== 'EOF') this.unexpected(t);
    this.checkDepth(e);
    this.checkAST(e);
    return e;
  }

  // ---- token helpers ----

  /** Looks ahead; reaching a lexing error reports it, as Prometheus's parser does. */
  private peek(k = 0): Token {
    const t = this.toks[Math.min(this.i + k, this.toks.length - 1)];
    if (t.kind === 'ERROR') this.fail(t, t.text);
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  private isPunct(t: Token, text: string): boolean {
    return t.kind === 'PUNCT' && t.text === text;
  }

  private expectPunct(text: string, context: string): Token {
    const t = this.next();
    if (!this.isPunct(t, text)) this.unexpected(t, context, JSON.stringify(text));
    return t;
  }

  private fail(pos: PosRange | Token, msg: string): never {
    const range = 'start' in pos ? pos : { start: pos.pos, end: pos.end };
    throw new ParseError(this.input, range, msg);
  }

  private unexpected(t: Token, context = '', expected = ''): never {
    // Prometheus lexes lazily, so an error the lexer finds right after this token wins.
    const after = this.toks[this.toks.indexOf(t) + 1];
    if (after?.kind === 'ERROR') this.fail(after, after.text);
    let msg = `unexpected ${describeToken(t)}`;
    if (context) msg += ` in ${context}`;
    if (expected) msg += `, expected ${expected}`;
    this.fail(t, msg);
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      this.fail(t, `expression nesting is too deep (more than ${MAX_NESTING_DEPTH} levels)`);
    }
  }

  // ---- expressions ----

  private parseExpr(minPrec: number): Expr {
    this.enter(this.peek());
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'OP') break;
      const prec = BINARY_PRECEDENCE[t.text];
      if (prec === undefined || prec < minPrec) break;
      this.next();
      const op = t.text as BinaryOp;
      let returnBool = false;
      if (this.peek().kind === 'KEYWORD' && this.peek().text === 'bool') {
        this.next();
        returnBool = true;
      }
      const matching = this.parseVectorMatching(op);
      const rhs = this.parseExpr(op === '^' ? prec : prec + 1);
      lhs = {
        kind: 'BinaryExpr',
        op,
        lhs,
        rhs,
        returnBool,
        matching,
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      } satisfies BinaryExpr;
    }
    this.depth--;
    return lhs;
  }

  private parseVectorMatching(op: BinaryOp): VectorMatching {
    const vm: VectorMatching = {
      card: isSetOp(op) ? 'many-to-many' : 'one-to-one',
      matchingLabels: [],
      on: false,
      include: [],
    };
    const t = this.peek();
    if (t.kind === 'KEYWORD' && (t.text === 'on' || t.text === 'ignoring')) {
      this.next();
      vm.on = t.text === 'on';
      vm.matchingLabels = this.parseGroupingLabels();
      const g = this.peek();
      if (g.kind === 'KEYWORD' && (g.text === 'group_left' || g.text === 'group_right')) {
        this.next();
        vm.card = g.text === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (this.isPunct(this.peek(), '(')) vm.include = this.parseGroupingLabels();
      }
    } else if (t.kind === 'KEYWORD' && (t.text === 'group_left' || t.text === 'group_right')) {
      this.unexpected(t);
    }
    return vm;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'OP' && (t.text === '+' || t.text === '-')) {
      this.next();
      const operand = this.parseExpr(MUL_PRECEDENCE + 1);
      if (operand.kind === 'NumberLiteral') {
        return {
          kind: 'NumberLiteral',
          value: t.text === '-' ? -operand.value : operand.value,
          pos: { start: t.pos, end: operand.pos.end },
        };
      }
      return { kind: 'UnaryExpr', op: t.text, expr: operand, pos: { start: t.pos, end: operand.pos.end } };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, '[')) e = this.parseRangeOrSubquery(e);
      else if (t.kind === 'KEYWORD' && t.text === 'offset') e = this.parseOffset(e);
      else if (this.isPunct(t, '@')) e = this.parseAt(e);
      else return e;
    }
  }

  private parseDurationToken(context: string): number {
    const t = this.next();
    if (t.kind !== 'DURATION') {
      if (context === 'range') this.fail(t, 'missing unit character in duration');
      this.unexpected(t, context, 'duration');
    }
    try {
      const d = parseDuration(t.text);
      if (d === 0) this.fail(t, 'duration must be greater than 0');
      return d;
    } catch (err) {
      if (err instanceof DurationError) this.fail(t, err.message);
      throw err;
    }
  }

  private parseRangeOrSubquery(e: Expr): Expr {
    const open = this.next();
    const range = this.parseDurationToken('range');
    if (this.isPunct(this.peek(), ':')) {
      this.next();
      let step = 0;
      if (!this.isPunct(this.peek(), ']')) step = this.parseDurationToken('subquery');
      const close = this.expectPunct(']', 'subquery selector');
      return {
        kind: 'SubqueryExpr',
        expr: e,
        range,
        step,
        offset: 0,
        timestamp: null,
        startOrEnd: null,
        pos: { start: e.pos.start, end: close.end },
      } satisfies SubqueryExpr;
    }
    const close = this.next();
    if (!this.isPunct(close, ']')) this.unexpected(close, 'range', '"]"');
    if (e.kind !== 'VectorSelector') this.fail(open, 'ranges only allowed for vector selectors');
    if (e.offset !== 0) this.fail(open, 'no offset modifiers allowed before range');
    if (e.timestamp !== null || e.startOrEnd !== null) this.fail(open, 'no @ modifiers allowed before range');
    return { kind: 'MatrixSelector', vs: e, range, pos: { start: e.pos.start, end: close.end } };
  }

  /** The selector or subquery whose modifiers an `offset`/`@` applies to, or a parse error. */
  private modifierTarget(e: Expr, what: string): VectorSelector | SubqueryExpr {
    if (e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') return e;
    if (e.kind === 'MatrixSelector') return e.vs;
    this.fail(
      e.pos,
      `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
    );
  }

  private parseOffset(e: Expr): Expr {
    this.next();
    let sign = 1;
    if (this.peek().kind === 'OP' && this.peek().text === '-') {
      this.next();
      sign = -1;
    }
    const d = this.parseDurationToken('offset');
    const target = this.modifierTarget(e, 'offset');
    if (target.offset !== 0) this.fail(e.pos, 'offset may not be set multiple times');
    target.offset = sign * d;
    e.pos = { start: e.pos.start, end: this.toks[this.i - 1].end };
    return e;
  }

  private parseAt(e: Expr): Expr {
    this.next();
    const t = this.peek();
    const target = this.modifierTarget(e, '@');
    if (target.timestamp !== null || target.startOrEnd !== null)
      this.fail(e.pos, '@ <timestamp> may not be set multiple times');
    if (t.kind === 'KEYWORD' && (t.text === 'start' || t.text === 'end')) {
      this.next();
      if (!this.isPunct(this.peek(), '(')) this.unexpected(this.peek(), '@', 'timestamp');
      this.next();
      this.expectPunct(')', '@ modifier');
      target.startOrEnd = t.text;
    } else {
      let sign = 1;
      if (t.kind === 'OP' && (t.text === '-' || t.text === '+')) {
        if (this.next().text === '-') sign = -1;
      }
      const n = this.next();
      if (n.kind !== 'NUMBER') this.unexpected(n, '@', 'timestamp');
      const v = sign * this.number(n);
      if (!Number.isFinite(v) || Math.abs(v) >= INT64_LIMIT) {
        this.fail(e.pos, `timestamp out of bounds for @ modifier: ${formatGoFixed(v)}`);
      }
      target.timestamp = Math.round(v * 1000);
    }
    e.pos = { start: e.pos.start, end: this.toks[this.i - 1].end };
    return e;
  }

  private number(t: Token): number {
    const v = parseGoNumber(t.text);
    if (v === null)
      this.fail(t, `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(t.text)}: invalid syntax`);
    return v;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'NUMBER':
        this.next();
        return { kind: 'NumberLiteral', value: this.number(t), pos: { start: t.pos, end: t.end } };
      case 'STRING':
        this.next();
        return { kind: 'StringLiteral', value: this.unquote(t), pos: { start: t.pos, end: t.end } };
      case 'PUNCT':
        if (t.text === '(') return this.parseParen();
        if (t.text === '{') return this.parseVectorSelector(null);
        break;
      case 'IDENT':
        if (this.isPunct(this.peek(1), '(')) return this.parseCall();
        return this.parseVectorSelector(this.next());
      case 'METRIC_IDENT':
        return this.parseVectorSelector(this.next());
      case 'AGGR': {
        // An aggregator keyword not followed by "(" or a grouping clause is a metric name.
        const n = this.peek(1);
        if (this.isPunct(n, '(') || (n.kind === 'KEYWORD' && (n.text === 'by' || n.text === 'without'))) {
          return this.parseAggregate();
        }
        return this.parseVectorSelector(this.next());
      }
      case 'KEYWORD':
        if (t.text === 'start' || t.text === 'end') return this.parseVectorSelector(this.next());
        break;
      case 'EOF':
        this.unexpected(t);
    }
    this.unexpected(t);
  }

  private unquote(t: Token): string {
    try {
      return unquoteString(t.text);
    } catch (e) {
      if (e instanceof StringLiteralError)
        this.fail(t, `error unquoting string ${JSON.stringify(t.text)}: ${e.message}`);
      throw e;
    }
  }

  private parseParen(): Expr {
    const open = this.next();
    const inner = this.parseExpr(0);
    const close = this.next();
    if (!this.isPunct(close, ')')) this.unexpected(close, 'paren expression', '")"');
    return { kind: 'ParenExpr', expr: inner, pos: { start: open.pos, end: close.end } };
  }

  private parseVectorSelector(nameTok: Token | null): VectorSelector {
    const start = nameTok ? nameTok.pos : this.peek().pos;
    let end = nameTok ? nameTok.end : start;
    const matchers: LabelMatcher[] = [];
    if (this.isPunct(this.peek(), '{')) {
      this.next();
      for (;;) {
        const t = this.next();
        if (this.isPunct(t, '}')) {
          end = t.end;
          break;
        }
        if (t.kind !== 'IDENT') this.unexpected(t, 'label matching', 'identifier or "}"');
        const op = this.next();
        if (!((op.kind === 'PUNCT' && op.text === '=') || (op.kind === 'OP' && ['!=', '=~', '!~'].includes(op.text)))) {
          this.unexpected(op, 'label matching', 'label matching operator');
        }
        const v = this.next();
        if (v.kind !== 'STRING') this.unexpected(v, 'label matching', 'string');
        try {
          matchers.push(newLabelMatcher(op.text as MatchType, t.text, this.unquote(v)));
        } catch (e) {
          if (e instanceof RegexError) this.fail(t, e.message);
          throw e;
        }
        const sep = this.next();
        if (this.isPunct(sep, '}')) {
          end = sep.end;
          break;
        }
        if (!this.isPunct(sep, ',')) this.unexpected(sep, 'label matching', '"," or "}"');
      }
    }
    const pos = { start, end };
    const name = nameTok ? nameTok.text : '';
    if (nameTok) matchers.push(newLabelMatcher('=', '__name__', name));
    const vs: VectorSelector = {
      kind: 'VectorSelector',
      name,
      matchers,
      offset: 0,
      timestamp: null,
      startOrEnd: null,
      pos,
    };
    return vs;
  }

  private parseGroupingLabels(): string[] {
    this.expectPunct('(', 'grouping opts');
    const labels: string[] = [];
    for (;;) {
      const t = this.next();
      if (this.isPunct(t, ')')) return labels;
      if (!(
        t.kind === 'IDENT' ||
        t.kind === 'KEYWORD' ||
        t.kind === 'AGGR' ||
        (t.kind === 'OP' && /^[a-z]/.test(t.text))
      )) {
        this.unexpected(t, 'grouping opts', 'label');
      }
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(t.text)) this.fail(t, `invalid label name ${JSON.stringify(t.text)}`);
      labels.push(this.input.slice(t.pos, t.end));
      const sep = this.next();
      if (this.isPunct(sep, ')')) return labels;
      if (!this.isPunct(sep, ',')) this.unexpected(sep, 'grouping opts', '"," or ")"');
    }
  }

  private parseArgs(context: string): Expr[] {
    this.expectPunct('(', context);
    const args: Expr[] = [];
    if (this.isPunct(this.peek(), ')')) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.parseExpr(0));
      const sep = this.next();
      if (this.isPunct(sep, ')')) return args;
      if (!this.isPunct(sep, ',')) this.unexpected(sep, context, '"," or ")"');
      if (this.isPunct(this.peek(), ')')) this.fail(sep, 'trailing commas not allowed in function call args');
    }
  }

  private parseCall(): Call {
    const nameTok = this.next();
    const func = FUNCTIONS.get(nameTok.text);
    if (!func) this.fail(nameTok, `unknown function with name ${JSON.stringify(nameTok.text)}`);
    const args = this.parseArgs('function call');
    return { kind: 'Call', func, args, pos: { start: nameTok.pos, end: this.toks[this.i - 1].end } };
  }

  private parseAggregate(): AggregateExpr {
    const opTok = this.next();
    const op = opTok.text as AggregateOp;
    let grouping: string[] = [];
    let without = false;
    let modifierSeen = false;
    const parseModifier = (): void => {
      const t = this.peek();
      if (t.kind === 'KEYWORD' && (t.text === 'by' || t.text === 'without')) {
        if (modifierSeen) this.unexpected(t);
        this.next();
        without = t.text === 'without';
        grouping = this.parseGroupingLabels();
        modifierSeen = true;
      }
    };
    parseModifier();
    const args = this.parseArgs('aggregation');
    parseModifier();
    const pos = { start: opTok.pos, end: this.toks[this.i - 1].end };
    const needsParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    if (args.length === 0) this.fail(pos, 'no arguments for aggregate expression provided');
    const want = needsParam ? 2 : 1;
    if (args.length !== want) {
      this.fail(
        pos,
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
      );
    }
    const expr = args[args.length - 1];
    const param = needsParam ? args[0] : null;
    return { kind: 'AggregateExpr', op, expr, param, grouping, without, pos };
  }

  // ---- semantic checks (Prometheus's checkAST, run only on a syntactically valid tree) ----

  /** Rejects trees deeper than MAX_NESTING_DEPTH (long operator chains nest without recursion here). */
  private checkDepth(root: Expr): void {
    const stack: [Expr, number][] = [[root, 1]];
    while (stack.length) {
      const [e, d] = stack.pop()!;
      if (d > MAX_NESTING_DEPTH)
        this.fail(e.pos, `expression nesting is too deep (more than ${MAX_NESTING_DEPTH} levels)`);
      for (const c of children(e)) stack.push([c, d + 1]);
    }
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const got = this.checkAST(e);
    if (got !== want) this.fail(e.pos, `expected type ${typeName(want)} in ${context}, got ${typeName(got)}`);
  }

  /** Type-checks `e` and its children in Prometheus's order; returns the type of `e`. */
  private checkAST(e: Expr): ValueType {
    const ty = exprType(e);
    switch (e.kind) {
      case 'AggregateExpr':
        this.expectType(e.expr, 'vector', 'aggregation expression');
        if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile')
          this.expectType(e.param!, 'scalar', 'aggregation parameter');
        if (e.op === 'count_values') this.expectType(e.param!, 'string', 'aggregation parameter');
        break;
      case 'BinaryExpr':
        this.checkBinary(e);
        break;
      case 'Call':
        this.checkCall(e);
        break;
      case 'ParenExpr':
        this.checkAST(e.expr);
        break;
      case 'UnaryExpr': {
        const t = this.checkAST(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(
            e.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got "${typeName(t)}"`,
          );
        }
        break;
      }
      case 'SubqueryExpr': {
        const t = this.checkAST(e.expr);
        if (t !== 'vector') this.fail(e.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case 'MatrixSelector':
        this.checkAST(e.vs);
        break;
      case 'VectorSelector':
        this.checkSelector(e);
        break;
    }
    return ty;
  }

  private checkSelector(vs: VectorSelector): void {
    const ms = vs.matchers;
    // With a name outside the braces, the name matcher is the last one.
    if (vs.name !== '') {
      for (const m of ms.slice(0, -1)) {
        if (m.name === '__name__') {
          this.fail(
            vs.pos,
            `metric name must not be set twice: ${JSON.stringify(vs.name)} or ${JSON.stringify(m.value)}`,
          );
        }
      }
      return;
    }
    if (!ms.some((m) => !matchesValue(m, '')))
      this.fail(vs.pos, 'vector selector must contain at least one non-empty matcher');
  }

  private checkCall(call: Call): void {
    const { func, args } = call;
    const n = func.argTypes.length;
    const name = JSON.stringify(func.name);
    if (func.variadic === 0) {
      if (args.length !== n) this.fail(call.pos, `expected ${n} argument(s) in call to ${name}, got ${args.length}`);
    } else {
      if (args.length < n - 1)
        this.fail(call.pos, `expected at least ${n - 1} argument(s) in call to ${name}, got ${args.length}`);
      const max = n - 1 + func.variadic;
      if (func.variadic > 0 && args.length > max) {
        this.fail(call.pos, `expected at most ${max} argument(s) in call to ${name}, got ${args.length}`);
      }
    }
    args.forEach((a, i) => this.expectType(a, func.argTypes[Math.min(i, n - 1)], `call to function ${name}`));
  }

  /** The operator's position: the text between the operands, trimmed. */
  private opRange(e: BinaryExpr): PosRange {
    let start = e.lhs.pos.end;
    let end = e.rhs.pos.start - 1;
    while (/\s/.test(this.input[start] ?? '')) start++;
    while (/\s/.test(this.input[end] ?? '')) end--;
    return { start, end };
  }

  private checkBinary(e: BinaryExpr): void {
    const lt = this.checkAST(e.lhs);
    const rt = this.checkAST(e.rhs);
    if (e.returnBool && !isComparisonOp(e.op))
      this.fail(this.opRange(e), 'bool modifier can only be used on comparison operators');
    if (isComparisonOp(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(this.opRange(e), 'comparisons between scalars must use BOOL modifier');
    }
    const vm = e.matching!;
    if (vm.on) {
      for (const l of vm.matchingLabels) {
        if (vm.include.includes(l))
          this.fail(this.opRange(e), `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
      }
    }
    if (lt !== 'scalar' && lt !== 'vector')
      this.fail(e.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector')
      this.fail(e.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (lt !== 'vector' || rt !== 'vector') {
      if (vm.matchingLabels.length > 0) this.fail(e.pos, 'vector matching only allowed between instant vectors');
      e.matching = null;
    } else if (isSetOp(e.op)) {
      if (vm.card === 'one-to-many' || vm.card === 'many-to-one')
        this.fail(e.pos, `no grouping allowed for "${e.op}" operation`);
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSetOp(e.op)) {
      this.fail(e.pos, `set operator "${e.op}" not allowed in binary scalar expression`);
    }
  }
}

/** Parses a PromQL expression; throws ParseError with a `line:col: parse error: ...` message. */
export function parseExpr(input: string): Expr {
  return new Parser(input).parse();
}

/**
 * Parses a bare series selector (`foo{a="b"}` or `{a="b"}`), as the HTTP API's match[]
 * parameters are, and returns its matchers.
 */
export function parseMetricSelector(input: string): LabelMatcher[] {
  const e = parseExpr(input);
  if (e.kind !== 'VectorSelector' || e.offset !== 0 || e.timestamp !== null || e.startOrEnd !== null) {
    throw new ParseError(input, e.pos, `expected a series selector, got ${JSON.stringify(input)}`);
  }
  return e.matchers;
}
