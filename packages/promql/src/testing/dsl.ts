// Parser for Prometheus's PromQL test-file DSL (promql/test.go, v2.42): `load`, `clear`,
// `eval[_fail|_ordered] instant at`, and the series-description notation for values.

import { labelsFromRecord, METRIC_NAME, type Labels } from '../labels';
import { parseGoFloat, parseGoNumber } from '../numbers';
import { parseDuration } from '../parser/duration';
import { unquoteString } from '../parser/strings';
import { STALE_NAN_ARRAY } from '../storage';

export class TestFileError extends Error {
  override readonly name = 'TestFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

/** Expanded values of a series description; `null` entries are omitted samples. */
export interface SeriesDesc {
  labels: Labels;
  /** Values as a Float64Array (stale markers keep their payload); `present[i]` false = omitted. */
  values: Float64Array;
  present: boolean[];
}

export interface LoadCommand {
  kind: 'load';
  line: number;
  step: number;
  series: SeriesDesc[];
}

export interface ClearCommand {
  kind: 'clear';
  line: number;
}

export type Expected =
  { kind: 'scalar'; value: number } | { kind: 'vector'; samples: { labels: Labels; value: number }[] };

export interface EvalCommand {
  kind: 'eval';
  line: number;
  mode: 'normal' | 'fail' | 'ordered';
  /** Evaluation time in ms. */
  at: number;
  expr: string;
  expected: Expected;
}

export type Command = LoadCommand | ClearCommand | EvalCommand;

// No hexadecimal: Go's series lexer disallows it, so `0x10` means "0 repeated 10 more times".
const NUM = String.raw`(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])`;
const SERIES_ITEM_RE = new RegExp(`^([+-]?${NUM})(?:([+-])(${NUM}))?x(\\d+)$`);

function num(text: string): number {
  const v = parseGoNumber(text) ?? parseGoFloat(text);
  if (v === null) throw new Error(`invalid number ${JSON.stringify(text)}`);
  return v;
}

/** Splits `name{a="b", ...} rest` into the label set and the rest of the line. */
function parseMetric(text: string): { labels: Labels; rest: string } {
  let i = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text);
  const rec: Record<string, string> = {};
  if (nameMatch) {
    rec[METRIC_NAME] = nameMatch[0];
    i = nameMatch[0].length;
  }
  if (text[i] === '{') {
    i++;
    for (;;) {
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
      if (!ln) throw new Error(`expected label name at ${JSON.stringify(text.slice(i))}`);
      i += ln[0].length;
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '=') throw new Error(`expected "=" after label ${ln[0]}`);
      i++;
      while (/\s/.test(text[i] ?? '')) i++;
      const q = text[i];
      if (q !== '"' && q !== "'" && q !== '`') throw new Error(`expected quoted value for label ${ln[0]}`);
      let j = i + 1;
      while (j < text.length && text[j] !== q) j += text[j] === '\\' && q !== '`' ? 2 : 1;
      if (j >= text.length) throw new Error('unterminated label value');
      rec[ln[0]] = unquoteString(text.slice(i, j + 1));
      i = j + 1;
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] === ',') i++;
    }
  } else if (!nameMatch) {
    throw new Error(`expected a metric at ${JSON.stringify(text)}`);
  }
  return { labels: labelsFromRecord(rec), rest: text.slice(i).trim() };
}

/** Parses `metric values...` (parser.ParseSeriesDesc) and expands the value items. */
export function parseSeriesDesc(text: string): SeriesDesc {
  const { labels, rest } = parseMetric(text);
  const vals: number[] = [];
  const present: boolean[] = [];
  const staleIdx: number[] = [];
  const items = rest === '' ? [] : rest.split(/\s+/);
  for (const item of items) {
    if (item === '_') {
      vals.push(0);
      present.push(false);
    } else if (/^_x\d+$/.test(item)) {
      for (let k = Number(item.slice(2)); k > 0; k--) {
        vals.push(0);
        present.push(false);
      }
    } else if (item === 'stale') {
      staleIdx.push(vals.length);
      vals.push(0);
      present.push(true);
    } else {
      const m = SERIES_ITEM_RE.exec(item);
      if (m) {
        let cur = num(m[1]);
        const inc = m[3] === undefined ? 0 : m[2] === '-' ? -num(m[3]) : num(m[3]);
        const times = Number(m[4]);
        vals.push(cur);
        present.push(true);
        for (let k = 0; k < times; k++) {
          cur += inc;
          vals.push(cur);
          present.push(true);
        }
      } else {
        vals.push(num(item));
        present.push(true);
      }
    }
  }
  const values = new Float64Array(vals);
  for (const i of staleIdx) values.set(STALE_NAN_ARRAY, i);
  return { labels, values, present };
}

/** Splits a test file into commands (line numbers are 1-based). */
export function parseTestFile(content: string, file = '<input>'): Command[] {
  const lines = content.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    const lineNo = i + 1;
    const fail = (msg: string): never => {
      throw new TestFileError(file, lineNo, msg);
    };
    if (l === 'clear') {
      cmds.push({ kind: 'clear', line: lineNo });
      continue;
    }
    const load = /^load\s+(.+?)$/.exec(l);
    if (load) {
      let step = 0;
      try {
        step = parseDuration(load[1]);
      } catch (e) {
        fail((e as Error).message);
      }
      const series: SeriesDesc[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        try {
          series.push(parseSeriesDesc(lines[i]));
        } catch (e) {
          throw new TestFileError(file, i + 1, (e as Error).message);
        }
      }
      cmds.push({ kind: 'load', line: lineNo, step, series });
      continue;
    }
    const ev = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/.exec(l);
    if (!ev) fail(`invalid command ${JSON.stringify(l)}`);
    const mode = (ev![1] ?? 'normal') as EvalCommand['mode'];
    let at = 0;
    try {
      at = ev![2] === undefined ? 0 : parseDuration(ev![2]);
    } catch (e) {
      fail((e as Error).message);
    }
    let expected: Expected = { kind: 'vector', samples: [] };
    const first = i + 1 < lines.length ? lines[i + 1] : '';
    const scalar = first === '' ? null : (parseGoNumber(first) ?? parseGoFloat(first));
    if (scalar !== null) {
      // As in test.go, a scalar expectation is one line; what follows is the next command.
      expected = { kind: 'scalar', value: scalar };
      i++;
    } else {
      const samples: { labels: Labels; value: number }[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        try {
          const d = parseSeriesDesc(lines[i]);
          if (d.values.length > 1) throw new Error('expecting multiple values in instant evaluation not allowed');
          samples.push({ labels: d.labels, value: d.values.length ? d.values[0] : NaN });
        } catch (e) {
          throw new TestFileError(file, i + 1, (e as Error).message);
        }
      }
      expected = { kind: 'vector', samples };
    }
    cmds.push({ kind: 'eval', line: lineNo, mode, at, expr: ev![3], expected });
  }
  return cmds;
}
