// Label matchers: the simple form PromQL code uses ({type: '=~', ...}) and the
// storepb wire form (thanos.LabelMatcher, type EQ/NEQ/RE/NRE), plus evaluation.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { HasGrpcStatus } from '../grpc/errors';
import { LabelMatcherType, type Label, type LabelMatcher } from '../types';
import { labelValue } from './labels';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  type: MatchType;
  name: string;
  value: string;
}

/** A malformed matcher in a request; servers answer INVALID_ARGUMENT. */
export class InvalidMatcherError extends Error implements HasGrpcStatus {
  readonly grpcStatus = GrpcStatus.INVALID_ARGUMENT;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidMatcherError';
  }
}

const TO_WIRE: Record<MatchType, LabelMatcherType> = {
  '=': LabelMatcherType.EQ,
  '!=': LabelMatcherType.NEQ,
  '=~': LabelMatcherType.RE,
  '!~': LabelMatcherType.NRE,
};
const FROM_WIRE: MatchType[] = ['=', '!=', '=~', '!~'];

export function toLabelMatcher(m: Matcher): LabelMatcher {
  const type = TO_WIRE[m.type];
  if (type === undefined)
    throw new InvalidMatcherError(`unknown matcher type ${JSON.stringify(m.type)} for label ${m.name}`);
  return { type, name: m.name, value: m.value };
}

export function fromLabelMatcher(m: LabelMatcher): Matcher {
  const type = FROM_WIRE[m.type];
  if (type === undefined) throw new InvalidMatcherError(`unknown label matcher type ${m.type} for label ${m.name}`);
  return { type, name: m.name, value: m.value };
}

export const toLabelMatchers = (ms: Matcher[]): LabelMatcher[] => ms.map(toLabelMatcher);
export const fromLabelMatchers = (ms: LabelMatcher[]): Matcher[] => ms.map(fromLabelMatcher);

/** Prints a matcher as PromQL does: name="value", name=~"regex". */
export function matcherToString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/**
 * Compiles a Prometheus (RE2) regex fully anchored, as Prometheus does. Go's leading
 * flag groups `(?i)`, `(?s)`, `(?is)` become JS flags; RE2 syntax JS lacks is rejected.
 */
export function compileAnchoredRegex(source: string): RegExp {
  let body = source;
  let flags = '';
  const flagGroup = /^\(\?([is]+)\)/.exec(body);
  if (flagGroup) {
    flags = [...new Set(flagGroup[1])].join('');
    body = body.slice(flagGroup[0].length);
  }
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (err) {
    throw new InvalidMatcherError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

/** A predicate over one label value (a missing label has value ''). */
export function compileMatcher(m: Matcher): (value: string) => boolean {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileAnchoredRegex(m.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileAnchoredRegex(m.value);
      return (v) => !re.test(v);
    }
    default:
      throw new InvalidMatcherError(`unknown matcher type ${JSON.stringify(m.type)} for label ${m.name}`);
  }
}

/** Whether a label set satisfies every matcher. */
export function matchLabels(matchers: Matcher[], labels: Label[]): boolean {
  return matchers.every((m) => compileMatcher(m)(labelValue(labels, m.name)));
}
