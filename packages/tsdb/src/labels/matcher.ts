import { goQuote } from './labels';
import { compileAnchoredRe2, parsePrometheusRegex, type RegexNode } from './re2';
import { needsLinearTime, Re2Vm } from './re2-vm';

export { RegexSyntaxError } from './re2';

export type MatchType = '=' | '!=' | '=~' | '!~';

export const MatchType = {
  Equal: '=',
  NotEqual: '!=',
  Regexp: '=~',
  NotRegexp: '!~',
} as const satisfies Record<string, MatchType>;

const INVERSE: Record<MatchType, MatchType> = { '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' };

/** How a regex is tested: a cheap form when its tree allows one, the RegExp otherwise. */
interface CompiledRegex {
  test: (s: string) => boolean;
  /** The regex matches exactly these strings (an alternation of literals). */
  set: readonly string[] | undefined;
}

/**
 * A label matcher (`name="v"`, `!=`, `=~`, `!~`) with Prometheus semantics: regexes use
 * Go RE2 syntax and must match the whole value. A value that is absent counts as the
 * empty string, so a matcher that matches `""` also selects series without the label.
 */
export class Matcher {
  private constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
    private readonly re: CompiledRegex | undefined,
  ) {}

  /** @throws RegexSyntaxError for an invalid or unsupported regex */
  static create(type: MatchType, name: string, value: string): Matcher {
    if (!(type in INVERSE)) throw new TypeError(`unknown match type ${JSON.stringify(type)}`);
    const re = type === '=~' || type === '!~' ? compileRegex(value) : undefined;
    return new Matcher(type, name, value, re);
  }

  matches(s: string): boolean {
    switch (this.type) {
      case '=':
        return s === this.value;
      case '!=':
        return s !== this.value;
      case '=~':
        return this.re!.test(s);
      case '!~':
        return !this.re!.test(s);
    }
  }

  /** For `=~` on an alternation of literals (`a|b|c`): the values it matches, to look up directly. */
  get setMatches(): readonly string[] | undefined {
    return this.type === '=~' ? this.re!.set : undefined;
  }

  /** The matcher selecting the opposite values (`=` <-> `!=`, `=~` <-> `!~`). */
  inverse(): Matcher {
    return new Matcher(INVERSE[this.type], this.name, this.value, this.re);
  }

  /** Prometheus's rendering: `name="value"` with Go quoting. */
  toString(): string {
    return `${this.name}${this.type}${goQuote(this.value)}`;
  }
}

export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  return Matcher.create(type, name, value);
}

function compileRegex(pattern: string): CompiledRegex {
  const tree = parsePrometheusRegex(pattern);
  const root = unwrapGroups(tree);
  const set = literalSet(root);
  if (set !== undefined) {
    if (set.length === 1) {
      const only = set[0];
      return { test: (s) => s === only, set };
    }
    const lookup = new Set(set);
    return { test: (s) => lookup.has(s), set };
  }
  const fast = anyStringForm(root);
  if (fast !== undefined) return { test: fast, set: undefined };
  const { prefix, suffix } = literalEnds(root);
  // Patterns on which backtracking can explode run on the linear-time matcher.
  const engine = needsLinearTime(tree) ? new Re2Vm(tree, pattern) : compileAnchoredRe2(tree);
  return {
    test: (s) => s.startsWith(prefix) && s.endsWith(suffix) && engine.test(s),
    set: undefined,
  };
}

function unwrapGroups(n: RegexNode): RegexNode {
  while (n.t === 'group') n = n.sub;
  return n;
}

/** The string a node matches when it is a plain (case-sensitive) literal sequence. */
function literalString(n: RegexNode): string | undefined {
  n = unwrapGroups(n);
  if (n.t === 'lit') return n.fold ? undefined : String.fromCodePoint(n.cp);
  if (n.t !== 'cat') return undefined;
  let s = '';
  for (const sub of n.subs) {
    const part = literalString(sub);
    if (part === undefined) return undefined;
    s += part;
  }
  return s;
}

/** `a`, `a|b|c`, `(?:a|b)|c`: the distinct literal strings, or undefined. */
function literalSet(n: RegexNode): string[] | undefined {
  const out = new Set<string>();
  const visit = (node: RegexNode): boolean => {
    node = unwrapGroups(node);
    if (node.t === 'alt') return node.subs.every(visit);
    const s = literalString(node);
    if (s === undefined) return false;
    out.add(s);
    return true;
  };
  return visit(n) ? [...out] : undefined;
}

/** `.*`, `.+` and `prefix.*`: tested without the regex engine. */
function anyStringForm(n: RegexNode): ((s: string) => boolean) | undefined {
  const dotRun = (node: RegexNode) =>
    node.t === 'rep' && node.max === -1 && node.min <= 1 && node.sub.t === 'any' ? node : undefined;
  const whole = dotRun(n);
  if (whole !== undefined) {
    const nl = whole.sub.t === 'any' && whole.sub.nl;
    const min = whole.min;
    return (s) => s.length >= min && (nl || !s.includes('\n'));
  }
  if (n.t === 'cat' && n.subs.length >= 2) {
    const last = dotRun(n.subs[n.subs.length - 1]);
    const prefix = literalString({ t: 'cat', subs: n.subs.slice(0, -1) });
    if (last !== undefined && last.min === 0 && prefix !== undefined) {
      const nl = last.sub.t === 'any' && last.sub.nl;
      return (s) => s.startsWith(prefix) && (nl || !s.includes('\n', prefix.length));
    }
  }
  return undefined;
}

/** Literal text every match must start and end with (a cheap filter before the regex). */
function literalEnds(n: RegexNode): { prefix: string; suffix: string } {
  if (n.t !== 'cat') return { prefix: '', suffix: '' };
  let prefix = '';
  for (const sub of n.subs) {
    const s = sub.t === 'lit' ? literalString(sub) : undefined;
    if (s === undefined) break;
    prefix += s;
  }
  let suffix = '';
  for (let i = n.subs.length - 1; i >= 0; i--) {
    const sub = n.subs[i];
    const s = sub.t === 'lit' ? literalString(sub) : undefined;
    if (s === undefined) break;
    suffix = s + suffix;
  }
  return { prefix, suffix };
}
