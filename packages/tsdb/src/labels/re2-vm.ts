// A linear-time matcher for parsed RE2 patterns (a Thompson NFA simulated breadth-first,
// as RE2 and Go do). The JS engine backtracks, so a pattern such as `(a*)*b` can take
// exponential time on a long label value: such patterns run here instead, which keeps a
// user-supplied regex from stalling the process.
import { classTester, foldOrbit, RegexSyntaxError, type RegexNode } from './re2';

/** Go refuses programs this large too ("expression too large"). */
const MAX_INSTRUCTIONS = 200_000;

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const ASSERT = 3;
const MATCH = 4;

type AssertKind = (RegexNode & { t: 'assert' })['kind'];

interface Inst {
  op: number;
  /** CHAR: the next instruction; SPLIT/JMP: first target. */
  x: number;
  /** SPLIT: second target. */
  y: number;
  test?: (cp: number) => boolean;
  kind?: AssertKind;
}

function isWordChar(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
}

class Compiler {
  readonly prog: Inst[] = [];

  constructor(private readonly src: string) {}

  private emit(op: number, x = -1, y = -1): number {
    if (this.prog.length >= MAX_INSTRUCTIONS) throw new RegexSyntaxError('expression too large', this.src);
    this.prog.push({ op, x, y });
    return this.prog.length - 1;
  }

  private char(test: (cp: number) => boolean): void {
    const pc = this.emit(CHAR);
    this.prog[pc].x = pc + 1;
    this.prog[pc].test = test;
  }

  /** Appends code for `n`; control falls through to the instruction after it. */
  compile(n: RegexNode): void {
    switch (n.t) {
      case 'lit': {
        const orbit = n.fold ? foldOrbit(n.cp) : undefined;
        const cp0 = n.cp;
        this.char(orbit === undefined ? (cp) => cp === cp0 : (cp) => orbit.includes(cp));
        return;
      }
      case 'any':
        this.char(n.nl ? () => true : (cp) => cp !== 0x0a);
        return;
      case 'class':
        this.char(classTester(n));
        return;
      case 'cat':
        for (const s of n.subs) this.compile(s);
        return;
      case 'group':
        this.compile(n.sub);
        return;
      case 'alt': {
        const ends: number[] = [];
        n.subs.forEach((s, i) => {
          if (i < n.subs.length - 1) {
            const split = this.emit(SPLIT);
            this.prog[split].x = split + 1;
            this.compile(s);
            ends.push(this.emit(JMP));
            this.prog[split].y = this.prog.length;
          } else {
            this.compile(s);
          }
        });
        for (const j of ends) this.prog[j].x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let i = 0; i < n.min; i++) this.compile(n.sub);
        if (n.max === -1) {
          const split = this.emit(SPLIT);
          this.prog[split].x = split + 1;
          this.compile(n.sub);
          this.prog[this.emit(JMP)].x = split;
          this.prog[split].y = this.prog.length;
          return;
        }
        const exits: number[] = [];
        for (let i = n.min; i < n.max; i++) {
          const split = this.emit(SPLIT);
          this.prog[split].x = split + 1;
          exits.push(split);
          this.compile(n.sub);
        }
        for (const s of exits) this.prog[s].y = this.prog.length;
        return;
      }
      case 'assert': {
        const pc = this.emit(ASSERT);
        this.prog[pc].x = pc + 1;
        this.prog[pc].kind = n.kind;
        return;
      }
    }
  }

  finish(): Inst[] {
    this.emit(MATCH);
    return this.prog;
  }
}

/** A compiled pattern testing whole strings (anchored at both ends) in time linear in their length. */
export class Re2Vm {
  private readonly prog: Inst[];
  private readonly marks: Uint32Array;
  private gen = 0;
  private clist: Int32Array;
  private nlist: Int32Array;
  private readonly stack: Int32Array;

  constructor(tree: RegexNode, src: string) {
    const c = new Compiler(src);
    c.compile(tree);
    this.prog = c.finish();
    this.marks = new Uint32Array(this.prog.length);
    this.clist = new Int32Array(this.prog.length);
    this.nlist = new Int32Array(this.prog.length);
    this.stack = new Int32Array(this.prog.length * 2 + 1);
  }

  /** Whether the whole of `s` matches. */
  test(s: string): boolean {
    const first = s.length > 0 ? s.codePointAt(0)! : -1;
    let clen = this.addThreads(this.clist, 0, 0, -1, first);
    let i = 0;
    while (clen > 0) {
      if (i >= s.length) return this.hasMatch(this.clist, clen);
      const cp = s.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      const next = i < s.length ? s.codePointAt(i)! : -1;
      let nlen = 0;
      this.gen++;
      for (let k = 0; k < clen; k++) {
        const inst = this.prog[this.clist[k]];
        if (inst.op === CHAR && inst.test!(cp)) nlen = this.addThreads(this.nlist, nlen, inst.x, cp, next, false);
      }
      [this.clist, this.nlist] = [this.nlist, this.clist];
      clen = nlen;
    }
    return false;
  }

  private hasMatch(list: Int32Array, len: number): boolean {
    for (let k = 0; k < len; k++) if (this.prog[list[k]].op === MATCH) return true;
    return false;
  }

  /**
   * Adds `pc` and everything reachable from it without consuming input to `list`.
   * `prev`/`next` are the code points around the current position (-1 at the edges);
   * threads added for one position share a generation so each instruction enters once.
   */
  private addThreads(list: Int32Array, len: number, pc: number, prev: number, next: number, newGen = true): number {
    if (newGen) this.gen++;
    const gen = this.gen;
    const stack = this.stack;
    let sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
      const at = stack[--sp];
      if (this.marks[at] === gen) continue;
      this.marks[at] = gen;
      const inst = this.prog[at];
      switch (inst.op) {
        case JMP:
          stack[sp++] = inst.x;
          break;
        case SPLIT:
          stack[sp++] = inst.y;
          stack[sp++] = inst.x;
          break;
        case ASSERT:
          if (assertionHolds(inst.kind!, prev, next)) stack[sp++] = inst.x;
          break;
        default:
          list[len++] = at;
      }
    }
    return len;
  }
}

function assertionHolds(kind: AssertKind, prev: number, next: number): boolean {
  switch (kind) {
    case 'begin':
      return prev === -1;
    case 'end':
      return next === -1;
    case 'bol':
      return prev === -1 || prev === 0x0a;
    case 'eol':
      return next === -1 || next === 0x0a;
    case 'wordb':
      return isWordChar(prev) !== isWordChar(next);
    case 'nwordb':
      return isWordChar(prev) === isWordChar(next);
  }
}

/**
 * Whether backtracking could blow up on this pattern: a repetition containing another
 * repetition or an alternation (`(a*)*`, `(a|aa)+`), or three or more unbounded
 * repetitions (`a*a*a*b`, polynomial). `.*foo.*` and the like stay on the JS engine.
 */
export function needsLinearTime(tree: RegexNode): boolean {
  let unbounded = 0;
  const risky = (n: RegexNode, insideRep: boolean): boolean => {
    switch (n.t) {
      case 'rep': {
        const repeats = n.max === -1 || n.max > 1;
        if (n.max === -1) unbounded++;
        if (insideRep && repeats) return true;
        return risky(n.sub, insideRep || repeats);
      }
      case 'alt':
        if (insideRep) return true;
        return n.subs.some((s) => risky(s, insideRep));
      case 'cat':
        return n.subs.some((s) => risky(s, insideRep));
      case 'group':
        return risky(n.sub, insideRep);
      default:
        return false;
    }
  };
  return risky(tree, false) || unbounded >= 3;
}
