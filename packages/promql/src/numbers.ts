// Go-compatible number parsing and formatting (strconv.ParseInt base 0, ParseFloat,
// FormatFloat 'f'/'g' with shortest precision).

/** 2^63: float64(math.MaxInt64) in Go, the bound of int64 conversions. */
export const INT64_LIMIT = 2 ** 63;

const INT_RE = /^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/;
const HEX_FLOAT_RE = /^[+-]?0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/;

function parseIntBase0(s: string): number | null {
  if (!INT_RE.test(s)) return null;
  const neg = s[0] === '-';
  let body = s[0] === '+' || s[0] === '-' ? s.slice(1) : s;
  let radix = 10;
  if (/^0[xX]/.test(body)) {
    radix = 16;
    body = body.slice(2);
  } else if (/^0[bB]/.test(body)) {
    radix = 2;
    body = body.slice(2);
  } else if (/^0[oO]/.test(body)) {
    radix = 8;
    body = body.slice(2);
  } else if (body.length > 1 && body[0] === '0') {
    radix = 8;
    body = body.slice(1);
  }
  const v = parseInt(body, radix);
  // Beyond int64 ParseInt fails and Go falls back to ParseFloat.
  if (v >= INT64_LIMIT) return null;
  return neg ? -v : v;
}

/** strconv.ParseFloat(s, 64); returns null when Go would return an error. */
export function parseGoFloat(s: string): number | null {
  const lower = s.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, '');
  const sign = lower.startsWith('-') ? -1 : 1;
  if (unsigned === 'inf' || unsigned === 'infinity') return sign * Infinity;
  if (unsigned === 'nan') return NaN;
  if (FLOAT_RE.test(s)) return Number(s);
  const hx = HEX_FLOAT_RE.exec(s);
  if (hx) {
    const mant = parseInt((hx[1] || '0') + hx[2], 16) / Math.pow(16, hx[2].length);
    return sign * mant * Math.pow(2, Number(hx[3]));
  }
  return null;
}

/** Prometheus's number-literal rule: ParseInt(s, 0, 64) first, then ParseFloat. */
export function parseGoNumber(s: string): number | null {
  return parseIntBase0(s) ?? parseGoFloat(s);
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const [mant, expStr] = s.split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const intLen = mant.replace('-', '').split('.')[0].length;
  const point = intLen + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}

/** Go's %v for float64 (strconv.FormatFloat(v, 'g', -1, 64)), e.g. `1e+06`, `0.5`. */
export function formatFloatG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = v.toExponential();
  const [mant, e] = exp.split('e');
  const x = Number(e);
  // Shortest formatting switches to an exponent outside [1e-4, 1e6), like Go.
  if (x < -4 || x >= 6) {
    const sign = x < 0 ? '-' : '+';
    const ax = Math.abs(x);
    return `${mant}e${sign}${ax < 10 ? '0' : ''}${ax}`;
  }
  return formatFloatF(v);
}
