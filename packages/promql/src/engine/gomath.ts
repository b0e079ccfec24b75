// Ports of Go's math functions whose results differ from V8's Math in the last bits, so
// that PromQL results match Prometheus exactly. The algorithms are those of Go's math
// package (Cephes polynomials, Cody-Waite argument reduction); the constants are given by
// their IEEE-754 bits.

const bitsView = new DataView(new ArrayBuffer(8));

function fromBits(hex: string): number {
  bitsView.setBigUint64(0, BigInt('0x' + hex));
  return bitsView.getFloat64(0);
}

const SIN = [
  '3de5d8fd1fd19ccd',
  'be5ae5e5a9291f5d',
  '3ec71de3567d48a1',
  'bf2a01a019bfdf03',
  '3f8111111110f7d0',
  'bfc5555555555548',
].map(fromBits);
const COS = [
  'bda8fa49a0861a9b',
  '3e21ee9d7b4e3f05',
  'be927e4f7eac4bc6',
  '3efa01a019c844f5',
  'bf56c16c16c14f91',
  '3fa555555555554b',
].map(fromBits);
const TAN_P = ['c0c992d8d24f3f38', '413199eca5fc9ddd', 'c1711fead3299176'].map(fromBits);
const TAN_Q = ['40cab8a5eeb36572', 'c13427bc582abc96', '4177d98fc2ead8ef', 'c189afe03cbe5a31'].map(fromBits);
// Pi/4 split into three parts for extended-precision reduction.
const PI4A = fromBits('3fe921fb40000000');
const PI4B = fromBits('3e64442d00000000');
const PI4C = fromBits('3ce8469898cc5170');
const FOUR_OVER_PI = fromBits('3ff45f306dc9c883');
const THREE_PI_4 = fromBits('4002d97c7f3321d2');
// Go switches to Payne-Hanek reduction above this; V8's Math is used there instead.
const REDUCE_THRESHOLD = 2 ** 29;

/** Octant and reduced argument of x >= 0 (Go's Cody-Waite reduction). */
function reduce(x: number): [number, number] {
  let j = Math.floor(x * FOUR_OVER_PI);
  let y = j;
  // Map zeros to the origin.
  if (j % 2 === 1) {
    j++;
    y++;
  }
  return [j % 8, x - y * PI4A - y * PI4B - y * PI4C];
}

function polySin(z: number, zz: number): number {
  return z + z * zz * (((((SIN[0] * zz + SIN[1]) * zz + SIN[2]) * zz + SIN[3]) * zz + SIN[4]) * zz + SIN[5]);
}

function polyCos(zz: number): number {
  return (
    1.0 - 0.5 * zz + zz * zz * (((((COS[0] * zz + COS[1]) * zz + COS[2]) * zz + COS[3]) * zz + COS[4]) * zz + COS[5])
  );
}

export function goSin(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  let sign = x < 0;
  const ax = Math.abs(x);
  if (ax >= REDUCE_THRESHOLD) return Math.sin(x);
  const [octant, z] = reduce(ax);
  let j = octant;
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  const zz = z * z;
  const y = j === 1 || j === 2 ? polyCos(zz) : polySin(z, zz);
  return sign ? -y : y;
}

export function goCos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= REDUCE_THRESHOLD) return Math.cos(x);
  let sign = false;
  const [octant, z] = reduce(ax);
  let j = octant;
  if (j > 3) {
    j -= 4;
    sign = !sign;
  }
  if (j > 1) sign = !sign;
  const zz = z * z;
  const y = j === 1 || j === 2 ? polySin(z, zz) : polyCos(zz);
  return sign ? -y : y;
}

export function goTan(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= REDUCE_THRESHOLD) return Math.tan(x);
  const [j, z] = reduce(ax);
  const zz = z * z;
  let y = z;
  if (zz > 1e-14) {
    const p = zz * ((TAN_P[0] * zz + TAN_P[1]) * zz + TAN_P[2]);
    const q = (((zz + TAN_Q[0]) * zz + TAN_Q[1]) * zz + TAN_Q[2]) * zz + TAN_Q[3];
    y = z + (z * p) / q;
  }
  if ((j & 2) === 2) y = -1 / y;
  return x < 0 ? -y : y;
}

/** atan on [0, 0.66]. */
function xatan(x: number): number {
  const P0 = -0.8750608600031904;
  const P1 = -16.157537187333652;
  const P2 = -75.00855792314705;
  const P3 = -122.88666844901361;
  const P4 = -64.85021904942025;
  const Q0 = 24.858464901423062;
  const Q1 = 165.02700983169885;
  const Q2 = 432.88106049129027;
  const Q3 = 485.3903996359137;
  const Q4 = 194.5506571482614;
  let z = x * x;
  z = (z * ((((P0 * z + P1) * z + P2) * z + P3) * z + P4)) / (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4);
  return x * z + x;
}

/** atan of a positive argument, reduced to [0, 0.66]. */
function satan(x: number): number {
  const MOREBITS = 6.123233995736766e-17; // pi/2 = PIO2 + MOREBITS
  const TAN3PIO8 = 2.414213562373095;
  if (x <= 0.66) return xatan(x);
  if (x > TAN3PIO8) return Math.PI / 2 - xatan(1 / x) + MOREBITS;
  return Math.PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * MOREBITS;
}

export function goAtan(x: number): number {
  if (x === 0) return x;
  return x > 0 ? satan(x) : -satan(-x);
}

export function goAsin(x: number): number {
  if (x === 0) return x;
  const ax = Math.abs(x);
  if (ax > 1) return NaN;
  const t = Math.sqrt(1 - ax * ax);
  const r = ax > 0.7 ? Math.PI / 2 - satan(t / ax) : satan(ax / t);
  return x < 0 ? -r : r;
}

export function goAcos(x: number): number {
  return Math.PI / 2 - goAsin(x);
}

function copysign(mag: number, sign: number): number {
  return sign < 0 || Object.is(sign, -0) ? -Math.abs(mag) : Math.abs(mag);
}

export function goAtan2(y: number, x: number): number {
  if (Number.isNaN(y) || Number.isNaN(x)) return NaN;
  if (y === 0) return x >= 0 && !Object.is(x, -0) ? copysign(0, y) : copysign(Math.PI, y);
  if (x === 0) return copysign(Math.PI / 2, y);
  if (x === Infinity) return Number.isFinite(y) ? copysign(0, y) : copysign(Math.PI / 4, y);
  if (x === -Infinity) return Number.isFinite(y) ? copysign(Math.PI, y) : copysign(THREE_PI_4, y);
  if (!Number.isFinite(y)) return copysign(Math.PI / 2, y);
  const q = goAtan(y / x);
  if (x < 0) return q <= 0 ? q + Math.PI : q - Math.PI;
  return q;
}

// 1/ln2 and 1/ln10 rounded once from the exact values, as Go's constant arithmetic does.
const INV_LN2 = 1.4426950408889634;
const INV_LN10 = 0.4342944819032518;

/** Go's math.Log2: exact for powers of two, otherwise log(frac)/ln2 + exp. */
export function goLog2(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log2(x);
  let exp = Math.floor(Math.log2(x)) + 1;
  let frac = x / 2 ** exp;
  // Math.log2 may round across a power of two; bring frac back into [0.5, 1).
  if (frac >= 1) {
    frac /= 2;
    exp++;
  } else if (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * INV_LN2 + exp;
}

/** Go's math.Log10: log(x) * (1/ln10). */
export function goLog10(x: number): number {
  return Math.log(x) * INV_LN10;
}

/** Go's math.Pow, which differs from `**` for a few special cases. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}
