/**
 * Error rates of two samples (canary vs baseline): is the canary's failure rate higher?
 *
 * - The two-proportion z-test with the pooled rate under the null hypothesis (the test
 *   statsmodels' `proportions_ztest` and R's `prop.test(correct = FALSE)` compute):
 *     z = (p_c - p_b) / sqrt(p (1 - p) (1/n_c + 1/n_b)),  p = (x_c + x_b) / (n_c + n_b).
 *   Its normal approximation needs enough failures and successes: at least
 *   MIN_EXPECTED_COUNT of each expected in each sample under the pooled rate (the usual
 *   np >= 5 rule). Probe failures are rare, so that often does not hold; then
 * - Fisher's exact test (one-sided: the hypergeometric upper tail of the canary's failures given
 *   the total), which needs no approximation.
 * `compareErrorRates` picks between them and says which it used.
 */
import { normalQuantile, normalSf } from './normal.js';

export interface ProportionSample {
  readonly failures: number;
  readonly total: number;
}

export interface ProportionTest {
  readonly method: 'z-test' | 'Fisher exact';
  /** The canary's failure rate minus the baseline's (a fraction). */
  readonly difference: number;
  /** The z statistic (z-test only). */
  readonly z: number | undefined;
  /** One-sided p-value: the canary fails more often than the baseline. */
  readonly pGreater: number;
  readonly pTwoSided: number;
}

/** The normal approximation's rule: this many failures and successes expected in each sample. */
export const MIN_EXPECTED_COUNT = 5;

function rate(sample: ProportionSample): number {
  return sample.total === 0 ? 0 : sample.failures / sample.total;
}

export function twoProportionZTest(
  canary: ProportionSample,
  baseline: ProportionSample,
): ProportionTest {
  const difference = rate(canary) - rate(baseline);
  const pooled = (canary.failures + baseline.failures) / (canary.total + baseline.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / canary.total + 1 / baseline.total));
  // No variance (no failure at all, or nothing but failures): both rates are equal, no evidence.
  const z = standardError > 0 ? difference / standardError : 0;
  return {
    method: 'z-test',
    difference,
    z,
    pGreater: normalSf(z),
    pTwoSided: Math.min(1, 2 * normalSf(Math.abs(z))),
  };
}

/** Whether the z-test's normal approximation holds for these two samples. */
export function zTestApplies(canary: ProportionSample, baseline: ProportionSample): boolean {
  const pooled = (canary.failures + baseline.failures) / (canary.total + baseline.total);
  return [canary, baseline].every(
    (sample) =>
      sample.total * pooled >= MIN_EXPECTED_COUNT &&
      sample.total * (1 - pooled) >= MIN_EXPECTED_COUNT,
  );
}

/** Fisher's exact test of the 2x2 table [canary failures, successes; baseline failures, successes]. */
export function fisherExactTest(
  canary: ProportionSample,
  baseline: ProportionSample,
): ProportionTest {
  const total = canary.total + baseline.total;
  const failures = canary.failures + baseline.failures;
  const low = Math.max(0, canary.total - (total - failures));
  const high = Math.min(failures, canary.total);
  const logDenominator = logChoose(total, canary.total);
  const probability = (k: number): number =>
    Math.exp(
      logChoose(failures, k) + logChoose(total - failures, canary.total - k) - logDenominator,
    );
  const observed = probability(canary.failures);
  let pGreater = 0;
  let pTwoSided = 0;
  for (let k = low; k <= high; k += 1) {
    const p = probability(k);
    if (k >= canary.failures) pGreater += p;
    // Tables no more likely than the observed one (R and scipy allow a relative 1e-7 for rounding).
    if (p <= observed * (1 + 1e-7)) pTwoSided += p;
  }
  return {
    method: 'Fisher exact',
    difference: rate(canary) - rate(baseline),
    z: undefined,
    pGreater: Math.min(1, pGreater),
    pTwoSided: Math.min(1, pTwoSided),
  };
}

/** The z-test when its approximation holds, else Fisher's exact test. */
export function compareErrorRates(
  canary: ProportionSample,
  baseline: ProportionSample,
): ProportionTest {
  return zTestApplies(canary, baseline)
    ? twoProportionZTest(canary, baseline)
    : fisherExactTest(canary, baseline);
}

/**
 * The smallest rise of the canary's failure rate over `baselineRate` that the one-sided z-test
 * at level `alpha` detects with probability `power`, for these sample sizes (the normal power
 * formula for two proportions, e.g. Chow, Shao and Wang, "Sample Size Calculations in Clinical
 * Research", 4.2). Undefined when no rise up to a 100 % failure rate would be detected that often.
 */
export function detectableErrorRateIncrease(
  canaryTotal: number,
  baselineTotal: number,
  baselineRate: number,
  alpha: number,
  power: number,
): number | undefined {
  if (canaryTotal === 0 || baselineTotal === 0) return undefined;
  const zAlpha = normalQuantile(1 - alpha);
  const powerOf = (increase: number): number => {
    const canaryRate = baselineRate + increase;
    const pooled =
      (canaryTotal * canaryRate + baselineTotal * baselineRate) / (canaryTotal + baselineTotal);
    const nullSe = Math.sqrt(pooled * (1 - pooled) * (1 / canaryTotal + 1 / baselineTotal));
    const alternativeSe = Math.sqrt(
      (canaryRate * (1 - canaryRate)) / canaryTotal +
        (baselineRate * (1 - baselineRate)) / baselineTotal,
    );
    if (alternativeSe === 0) return increase > zAlpha * nullSe ? 1 : 0;
    return 1 - normalSf((increase - zAlpha * nullSe) / alternativeSe);
  };
  let low = 0;
  let high = 1 - baselineRate;
  if (high <= 0 || powerOf(high) < power) return undefined;
  for (let iteration = 0; iteration < 60; iteration += 1) {
    const middle = (low + high) / 2;
    if (powerOf(middle) >= power) high = middle;
    else low = middle;
  }
  return high;
}

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
] as const;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = LANCZOS[0];
  for (let index = 1; index < LANCZOS.length; index += 1)
    sum += (LANCZOS[index] as number) / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
