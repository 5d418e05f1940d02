/**
 * The standard normal distribution, to double precision: what the canary's tests turn their
 * statistics into p-values with, and what the power figures are solved with.
 *
 * The CDF is Hart's algorithm 5666 (Hart, "Computer Approximations", 1968) in the form Graeme
 * West gives in "Better approximations to cumulative normal functions" (Wilmott, 2005): a
 * rational function of |x| up to 7.07, a continued fraction beyond, absolute error about 1e-15.
 * It computes the tail directly, so small upper-tail p-values keep their precision. The quantile
 * is Acklam's rational approximation (relative error 1.15e-9) refined by one Halley step on that
 * CDF, which brings it to full double precision.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** P(Z <= x) for a standard normal Z. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const tail = lowerTailOfMinusAbs(Math.abs(x));
  return x > 0 ? 1 - tail : tail;
}

/** P(Z > x): the one-sided p-value of a z statistic, exact in the far tail too. */
export function normalSf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const tail = lowerTailOfMinusAbs(Math.abs(x));
  return x > 0 ? tail : 1 - tail;
}

/** P(Z <= -a) for a >= 0. */
function lowerTailOfMinusAbs(a: number): number {
  if (a > 37) return 0;
  const exponential = Math.exp((-a * a) / 2);
  if (a < 7.07106781186547) {
    let numerator = 3.52624965998911e-2 * a + 0.700383064443688;
    numerator = numerator * a + 6.37396220353165;
    numerator = numerator * a + 33.912866078383;
    numerator = numerator * a + 112.079291497871;
    numerator = numerator * a + 221.213596169931;
    numerator = numerator * a + 220.206867912376;
    let denominator = 8.83883476483184e-2 * a + 1.75566716318264;
    denominator = denominator * a + 16.064177579207;
    denominator = denominator * a + 86.7807322029461;
    denominator = denominator * a + 296.564248779674;
    denominator = denominator * a + 637.333633378831;
    denominator = denominator * a + 793.826512519948;
    denominator = denominator * a + 440.413735824752;
    return (exponential * numerator) / denominator;
  }
  let fraction = a + 0.65;
  fraction = a + 4 / fraction;
  fraction = a + 3 / fraction;
  fraction = a + 2 / fraction;
  fraction = a + 1 / fraction;
  return exponential / fraction / SQRT_2PI;
}

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
] as const;
const D = [
  7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416,
] as const;
const P_LOW = 0.02425;

/** The x with P(Z <= x) = p, for 0 < p < 1 (-Infinity at 0, Infinity at 1). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = tailApproximation(q);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -tailApproximation(q);
  }
  // One Halley step on the accurate CDF: the error of the first guess is squared away.
  const error = p < 0.5 ? normalCdf(x) - p : 1 - p - normalSf(x);
  const u = error * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function tailApproximation(q: number): number {
  return (
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}
