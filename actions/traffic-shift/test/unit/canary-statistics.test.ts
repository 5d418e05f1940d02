/**
 * The canary's statistics on samples with published results. Sources:
 * - statsmodels' documented `proportions_ztest` example and its regression test (GH 2969):
 *   counts 5/83 vs 12/99 give z = -1.4078304151258787, two-sided p = 0.15918129181156992;
 * - scipy's `fisher_exact` documentation: [[8, 2], [1, 5]] gives two-sided p = 0.034965034965034975;
 *   Fisher's tea-tasting table [[3, 1], [1, 3]] gives one-sided p = 17/70;
 * - scipy's `mannwhitneyu` documentation (the diabetes ages of Shier, 2004): U = 17, asymptotic
 *   two-sided p = 0.11134688653314041 with the continuity correction, 0.0864107329737 without;
 * - R's `wilcox.test` documentation example (Hollander and Wolfe's depression data), as quoted by
 *   scipy's test suite (test_gh_9184): W = 35, one-sided p = 0.1223118025635 (continuity) and
 *   0.1103356809599 (none); `conf.int = TRUE` estimates the location shift as 0.305;
 * - R's `wilcox.test(c(1, 2, 3, 4), c(1, 2, 3, 4, 5), exact = FALSE)` with ties, as quoted by
 *   scipy's test suite (test_tie_correct): W = 8, p = 0.7086240584439;
 * - the textbook sample size for 10 % vs 20 % (two-sided 5 %, power 80 %): 199 per group.
 */
import { describe, expect, it } from '@jest/globals';
import {
  averageRanks,
  detectableLatencyShift,
  hodgesLehmannShift,
  mannWhitneyU,
  pooledSpread,
} from '../../src/canary/mann-whitney.js';
import { normalCdf, normalQuantile, normalSf } from '../../src/canary/normal.js';
import {
  compareErrorRates,
  detectableErrorRateIncrease,
  fisherExactTest,
  twoProportionZTest,
  zTestApplies,
} from '../../src/canary/two-proportion.js';

describe('the standard normal distribution', () => {
  it('gives the familiar quantiles and tail areas', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 12);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
  });

  it('keeps its precision far in the tail', () => {
    // scipy.stats.norm.sf(8) = 6.22096057427174e-16; norm.ppf(1e-10) = -6.361340902404056.
    // Hart 5666 is exact to about 1e-15 absolute, 1e-8 relative this far out.
    expect(normalSf(8) / 6.22096057427174e-16).toBeCloseTo(1, 7);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    expect(normalSf(-40)).toBe(1);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
});

describe('the two-proportion z-test', () => {
  it('matches statsmodels on 5 of 83 vs 12 of 99', () => {
    const test = twoProportionZTest({ failures: 5, total: 83 }, { failures: 12, total: 99 });
    expect(test.z).toBeCloseTo(-1.4078304151258787, 12);
    expect(test.pTwoSided).toBeCloseTo(0.15918129181156992, 12);
    // One-sided: is the first sample's rate the higher one? It is the lower one here.
    expect(test.pGreater).toBeCloseTo(1 - 0.15918129181156992 / 2, 12);
    expect(test.difference).toBeCloseTo(5 / 83 - 12 / 99, 15);
  });

  it('has no evidence when neither sample failed', () => {
    const test = twoProportionZTest({ failures: 0, total: 30 }, { failures: 0, total: 30 });
    expect(test).toMatchObject({ z: 0, pTwoSided: 1, difference: 0 });
  });

  it('is used only when at least 5 failures and 5 successes are expected in each sample', () => {
    expect(zTestApplies({ failures: 5, total: 83 }, { failures: 12, total: 99 })).toBe(true);
    expect(zTestApplies({ failures: 1, total: 30 }, { failures: 2, total: 30 })).toBe(false);
    expect(compareErrorRates({ failures: 1, total: 30 }, { failures: 2, total: 30 }).method).toBe(
      'Fisher exact',
    );
    expect(compareErrorRates({ failures: 5, total: 83 }, { failures: 12, total: 99 }).method).toBe(
      'z-test',
    );
  });
});

describe("Fisher's exact test", () => {
  it('matches scipy on [[8, 2], [1, 5]]', () => {
    const test = fisherExactTest({ failures: 8, total: 10 }, { failures: 1, total: 6 });
    expect(test.pTwoSided).toBeCloseTo(0.034965034965034975, 12);
    // scipy.stats.fisher_exact(..., alternative='greater'): 0.024475524475524483 (35/1430).
    expect(test.pGreater).toBeCloseTo(35 / 1430, 12);
  });

  it("gives 17/70 for Fisher's lady tasting tea", () => {
    const test = fisherExactTest({ failures: 3, total: 4 }, { failures: 1, total: 4 });
    expect(test.pGreater).toBeCloseTo(17 / 70, 12);
  });
});

describe('the Mann–Whitney U test', () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it("matches scipy's documented example with and without the continuity correction", () => {
    const corrected = mannWhitneyU(males, females);
    expect(corrected.u).toBe(17);
    expect(corrected.pTwoSided).toBeCloseTo(0.11134688653314041, 12);
    expect(mannWhitneyU(males, females, { continuity: false }).pTwoSided).toBeCloseTo(
      0.0864107329737,
      12,
    );
  });

  it("matches R's documented example, one-sided", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    expect(mannWhitneyU(x, y).u).toBe(35);
    expect(mannWhitneyU(x, y).pGreater).toBeCloseTo(0.1223118025635, 12);
    expect(mannWhitneyU(x, y, { continuity: false }).pGreater).toBeCloseTo(0.1103356809599, 12);
    expect(hodgesLehmannShift(x, y)).toBeCloseTo(0.305, 12);
  });

  it('corrects the variance for ties as R does', () => {
    const test = mannWhitneyU([1, 2, 3, 4], [1, 2, 3, 4, 5]);
    expect(test.u).toBe(8);
    expect(test.ties).toEqual([2, 2, 2, 2]);
    expect(test.pTwoSided).toBeCloseTo(0.7086240584439, 12);
    expect(averageRanks([10, 20, 10, 30]).ranks).toEqual([1.5, 3, 1.5, 4]);
  });

  it('has no evidence when every value is the same', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5])).toMatchObject({ pGreater: 1, pTwoSided: 1 });
  });

  it('sees a canary that is 150 ms slower in 20 probes each', () => {
    const baseline = Array.from({ length: 20 }, (_, index) => 40 + ((index * 7) % 23));
    const canary = baseline.map((latency) => latency + 150);
    const test = mannWhitneyU(canary, baseline);
    expect(test.pGreater).toBeLessThan(1e-6);
    expect(hodgesLehmannShift(canary, baseline)).toBe(150);
  });
});

describe('statistical power', () => {
  it('gives the textbook 199 per group for 10 % vs 20 % (two-sided 5 %, 80 % power)', () => {
    expect(detectableErrorRateIncrease(199, 199, 0.1, 0.025, 0.8)).toBeLessThanOrEqual(0.1);
    expect(detectableErrorRateIncrease(198, 198, 0.1, 0.025, 0.8)).toBeGreaterThan(0.1);
  });

  it('says when no increase can be detected that often', () => {
    expect(detectableErrorRateIncrease(2, 2, 0, 0.01, 0.8)).toBeUndefined();
  });

  it("inverts Noether's sample size: 52 samples detect P(X > Y) = 0.7", () => {
    // Noether: N = (z_0.95 + z_0.8)^2 / (12 * 1/4 * (0.7 - 0.5)^2) = 51.5 for alpha 0.05, power 0.8.
    const shift = detectableLatencyShift(26, 26, 1, 0.05, 0.8) as number;
    const probability = normalCdf(shift / Math.SQRT2);
    expect(probability).toBeGreaterThan(0.69);
    expect(probability).toBeLessThan(0.7);
    expect(detectableLatencyShift(2, 2, 1, 0.01, 0.8)).toBeUndefined();
  });

  it('estimates the spread of normal latencies without counting the shift', () => {
    const base = Array.from({ length: 200 }, (_, index) => normalQuantile((index + 0.5) / 200));
    const spread = pooledSpread(
      base.map((z) => 100 + 10 * z),
      base.map((z) => 300 + 10 * z),
    );
    expect(spread).toBeGreaterThan(9.5);
    expect(spread).toBeLessThan(10.5);
  });
});
