// Canonical text of an expression, formatted like Prometheus's Expr.String().

import { formatFloatG } from '../numbers';
import type { Expr, LabelMatcher, TimeModifiers, VectorMatching, VectorSelector } from './ast';
import { formatDuration } from './duration';
import { quoteString } from './strings';

function matcherString(m: LabelMatcher): string {
  return `${m.name}${m.type}${quoteString(m.value)}`;
}

function modifiers(m: TimeModifiers): string {
  let s = '';
  if (m.startOrEnd) s += ` @ ${m.startOrEnd}()`;
  else if (m.timestamp !== null) s += ` @ ${(m.timestamp / 1000).toFixed(3)}`;
  if (m.offset > 0) s += ` offset ${formatDuration(m.offset)}`;
  else if (m.offset < 0) s += ` offset -${formatDuration(-m.offset)}`;
  return s;
}

function selectorBody(vs: VectorSelector): string {
  const shown = vs.matchers.filter(
    (m) => !(vs.name !== '' && m.name === '__name__' && m.type === '=' && m.value === vs.name),
  );
  const braces = shown.length > 0 || vs.name === '' ? `{${shown.map(matcherString).join(', ')}}` : '';
  return vs.name + braces;
}

function matchingString(vm: VectorMatching | null): string {
  if (!vm) return '';
  let s = '';
  if (vm.on || vm.matchingLabels.length > 0) s += ` ${vm.on ? 'on' : 'ignoring'}(${vm.matchingLabels.join(', ')})`;
  if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
    s += ` ${vm.card === 'many-to-one' ? 'group_left' : 'group_right'}(${vm.include.join(', ')})`;
  }
  return s;
}

/** Formats `e` as PromQL text that parses back to an equivalent tree. */
export function exprToString(e: Expr): string {
  switch (e.kind) {
    case 'NumberLiteral':
      return formatFloatG(e.value).replace(/^\+Inf$/, 'Inf');
    case 'StringLiteral':
      return quoteString(e.value);
    case 'VectorSelector':
      return selectorBody(e) + modifiers(e);
    case 'MatrixSelector':
      return `${selectorBody(e.vs)}[${formatDuration(e.range)}]${modifiers(e.vs)}`;
    case 'SubqueryExpr':
      return `${exprToString(e.expr)}[${formatDuration(e.range)}:${e.step ? formatDuration(e.step) : ''}]${modifiers(e)}`;
    case 'ParenExpr':
      return `(${exprToString(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${exprToString(e.expr)}`;
    case 'BinaryExpr':
      return `${exprToString(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e.matching)} ${exprToString(e.rhs)}`;
    case 'AggregateExpr': {
      let s = e.op;
      if (e.without) s += ` without (${e.grouping.join(', ')}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.join(', ')}) `;
      const args = e.param ? `${exprToString(e.param)}, ${exprToString(e.expr)}` : exprToString(e.expr);
      return `${s}(${args})`;
    }
    case 'Call':
      return `${e.func.name}(${e.args.map(exprToString).join(', ')})`;
  }
}
