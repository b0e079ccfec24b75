/** Shortest round-trip decimal digits of a finite, non-zero |v| and the decimal exponent of the first digit. */
function shortestDecimal(abs: number): { digits: string; exp: number } {
  // JS's toExponential() without an argument yields the same shortest digits as Go's strconv.
  const sci = abs.toExponential();
  const ePos = sci.indexOf('e');
  return { digits: sci.slice(0, ePos).replace('.', ''), exp: Number(sci.slice(ePos + 1)) };
}

/** Go's `%e` shape: `d[.ddd]e±XX`, exponent with at least two digits. */
function exponentForm(sign: string, digits: string, exp: number): string {
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const absExp = Math.abs(exp);
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${absExp < 10 ? '0' : ''}${absExp}`;
}

/** Go's `%f` shape with exactly the digits given: no exponent, no trailing zeros after the point. */
function fixedForm(sign: string, digits: string, exp: number): string {
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return sign + digits + '0'.repeat(intLen - digits.length);
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** The special values every Go float format spells the same way; undefined for other numbers. */
function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/**
 * Go's `strconv.FormatFloat(v, 'g', -1, 64)` as `fmt`'s `%g` prints it (promtool dump,
 * Prometheus text output): shortest round-trip digits, exponent form when the decimal
 * exponent is below -4 or at least 6 (Go's shortest-%g threshold, unlike JS's 21),
 * exponents with a sign and at least two digits, `+Inf`, `-Inf`, `NaN`, `-0`.
 */
export function formatGoFloat(v: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const { digits, exp } = shortestDecimal(Math.abs(v));
  const sign = v < 0 ? '-' : '';
  return exp < -4 || exp >= 6 ? exponentForm(sign, digits, exp) : fixedForm(sign, digits, exp);
}

/**
 * A sample value as the Prometheus HTTP API writes it (`jsonutil.MarshalValue`, without the
 * quotes): Go `'f'` shortest form, switching to `'e'` below 1e-6 and from 1e21.
 */
export function formatPromApiFloat(v: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const abs = Math.abs(v);
  const { digits, exp } = shortestDecimal(abs);
  const sign = v < 0 ? '-' : '';
  return abs < 1e-6 || abs >= 1e21 ? exponentForm(sign, digits, exp) : fixedForm(sign, digits, exp);
}

/**
 * A millisecond timestamp as the Prometheus HTTP API writes it (`jsonutil.MarshalTimestamp`):
 * seconds, then a 3-digit fraction when not whole (`1700000000.100`, trailing zeros kept).
 */
export function formatPromApiTimestamp(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const frac = abs % 1000;
  const secs = `${sign}${Math.trunc(abs / 1000)}`;
  return frac === 0 ? secs : `${secs}.${String(frac).padStart(3, '0')}`;
}
