// PromQL abstract syntax tree. Positions are byte offsets into the query text.

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  /** Compiled anchored regex for `=~` / `!~`. */
  readonly re?: RegExp;
}

export interface PosRange {
  start: number;
  end: number;
}

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | 'atan2' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values';

export const AGGREGATE_OPS: readonly AggregateOp[] = [
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
];

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: Cardinality;
  /** Labels listed in on(...) or ignoring(...). */
  matchingLabels: string[];
  /** True for on(...), false for ignoring(...) or no clause. */
  on: boolean;
  /** Labels listed in group_left(...) / group_right(...). */
  include: string[];
}

/** Timestamp modifiers shared by selectors and subqueries. */
export interface TimeModifiers {
  /** Offset in milliseconds (may be negative). */
  offset: number;
  /** `@` timestamp in ms, or null. Set from start()/end() at query preparation. */
  timestamp: number | null;
  startOrEnd: 'start' | 'end' | null;
}

export interface NumberLiteral {
  kind: 'NumberLiteral';
  value: number;
  pos: PosRange;
}

export interface StringLiteral {
  kind: 'StringLiteral';
  value: string;
  pos: PosRange;
}

export interface VectorSelector extends TimeModifiers {
  kind: 'VectorSelector';
  /** Metric name written before the braces ('' when absent); it is also the last matcher. */
  name: string;
  matchers: LabelMatcher[];
  pos: PosRange;
}

export interface MatrixSelector {
  kind: 'MatrixSelector';
  vs: VectorSelector;
  /** Range in milliseconds. */
  range: number;
  pos: PosRange;
}

export interface SubqueryExpr extends TimeModifiers {
  kind: 'SubqueryExpr';
  expr: Expr;
  range: number;
  /** Step in ms; 0 means the engine default. */
  step: number;
  pos: PosRange;
}

export interface ParenExpr {
  kind: 'ParenExpr';
  expr: Expr;
  pos: PosRange;
}

export interface UnaryExpr {
  kind: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  pos: PosRange;
}

export interface BinaryExpr {
  kind: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Null when at least one side is a scalar. */
  matching: VectorMatching | null;
  pos: PosRange;
}

export interface AggregateExpr {
  kind: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  param: Expr | null;
  grouping: string[];
  without: boolean;
  pos: PosRange;
}

export interface FunctionDef {
  name: string;
  argTypes: ValueType[];
  /** 0: fixed arity; -1: last arg repeats without bound; n>0: up to n optional trailing args. */
  variadic: number;
  returnType: ValueType;
}

export interface Call {
  kind: 'Call';
  func: FunctionDef;
  args: Expr[];
  pos: PosRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call;

export function isComparisonOp(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): boolean {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** The value type an expression evaluates to. */
export function exprType(e: Expr): ValueType {
  switch (e.kind) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(e.expr);
    case 'BinaryExpr':
      return exprType(e.lhs) === 'scalar' && exprType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'AggregateExpr':
      return 'vector';
    case 'Call':
      return e.func.returnType;
  }
}

/** Strips any number of enclosing parentheses. */
export function unwrapParens(e: Expr): Expr {
  while (e.kind === 'ParenExpr') e = e.expr;
  return e;
}

/** Direct children, in evaluation order. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'MatrixSelector':
      return [e.vs];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    case 'AggregateExpr':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'Call':
      return e.args;
    default:
      return [];
  }
}
