// OpenMetrics text exposition, as `promtool tsdb create-blocks-from openmetrics` reads it:
// every sample needs a timestamp (seconds, fractional allowed), `# EOF` ends the input,
// exemplars after ` # ` are ignored, comments describe metric families and carry no samples.
import { type Label, sortLabels } from '../labels';

export class OpenMetricsParseError extends Error {
  override readonly name = 'OpenMetricsParseError';
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface OpenMetricsSample {
  /** Sorted labels including `__name__`. */
  labels: Label[];
  /** The series exactly as written before the value (a cheap grouping key). */
  seriesText: string;
  timestampMs: number;
  value: number;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses an OpenMetrics float: Go's ParseFloat syntax plus `NaN`, `+Inf`, `-Inf`. */
export function parseOpenMetricsFloat(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeLabelValue(raw: string, lineNo: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = raw[++i];
    if (n === 'n') out += '\n';
    else if (n === '\\' || n === '"') out += n;
    else throw new OpenMetricsParseError(`invalid escape sequence "\\${n ?? ''}" in label value`, lineNo);
  }
  return out;
}

function parseSeries(text: string, lineNo: number): { labels: Label[]; rest: string; seriesText: string } {
  const nameMatch = NAME_RE.exec(text);
  if (!nameMatch) throw new OpenMetricsParseError(`expected a metric name, got "${text.slice(0, 20)}"`, lineNo);
  const labels: Label[] = [{ name: '__name__', value: nameMatch[0] }];
  let pos = nameMatch[0].length;
  if (text[pos] === '{') {
    pos++;
    while (text[pos] !== '}') {
      const ln = LABEL_NAME_RE.exec(text.slice(pos));
      if (!ln) throw new OpenMetricsParseError(`expected a label name at column ${pos + 1}`, lineNo);
      pos += ln[0].length;
      if (text[pos] !== '=' || text[pos + 1] !== '"')
        throw new OpenMetricsParseError(`expected ="..." after label ${ln[0]}`, lineNo);
      pos += 2;
      const start = pos;
      while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
      if (pos >= text.length) throw new OpenMetricsParseError('unterminated label value', lineNo);
      const value = unescapeLabelValue(text.slice(start, pos), lineNo);
      if (labels.some((l) => l.name === ln[0]))
        throw new OpenMetricsParseError(`duplicate label name ${ln[0]}`, lineNo);
      labels.push({ name: ln[0], value });
      pos++;
      if (text[pos] === ',') pos++;
      else if (text[pos] !== '}') throw new OpenMetricsParseError(`expected , or } at column ${pos + 1}`, lineNo);
    }
    pos++;
  }
  return { labels: sortLabels(labels), rest: text.slice(pos), seriesText: text.slice(0, pos) };
}

/**
 * Calls `onSample` for every sample of an OpenMetrics text, in input order.
 * Throws {@link OpenMetricsParseError} naming the line for malformed input.
 */
export function parseOpenMetrics(text: string, onSample: (s: OpenMetricsSample) => void): void {
  const lines = text.split('\n');
  let sawEof = false;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    if (sawEof) {
      if (line.trim() !== '') throw new OpenMetricsParseError('data after # EOF', lineNo);
      continue;
    }
    if (line === '# EOF') {
      sawEof = true;
      continue;
    }
    if (line.startsWith('#') || line === '') continue;
    const { labels, rest, seriesText } = parseSeries(line, lineNo);
    const exemplarAt = rest.indexOf(' # ');
    const fields = (exemplarAt >= 0 ? rest.slice(0, exemplarAt) : rest).split(' ').filter((f) => f !== '');
    if (fields.length === 0) throw new OpenMetricsParseError('expected a value', lineNo);
    const value = parseOpenMetricsFloat(fields[0]);
    if (value === undefined) throw new OpenMetricsParseError(`invalid value "${fields[0]}"`, lineNo);
    if (fields.length < 2)
      throw new OpenMetricsParseError(`expected timestamp for series ${seriesText}, got none`, lineNo);
    if (fields.length > 2) throw new OpenMetricsParseError(`unexpected "${fields[2]}" after timestamp`, lineNo);
    const ts = parseOpenMetricsFloat(fields[1]);
    if (ts === undefined || !Number.isFinite(ts))
      throw new OpenMetricsParseError(`invalid timestamp "${fields[1]}"`, lineNo);
    // Go converts with int64(ts * 1000): multiply in float64, then truncate.
    onSample({ labels, seriesText, timestampMs: Math.trunc(ts * 1000), value });
  }
  if (!sawEof) throw new OpenMetricsParseError('missing # EOF at end of input', lines.length);
}
