/**
 * Latencies of two samples (canary vs baseline): are the canary's answers slower?
 *
 * The Mann–Whitney U test (Wilcoxon rank-sum) with average ranks for ties, the tie-corrected
 * variance and a continuity correction of 1/2, judged on the normal approximation: the statistic
 * scipy's `mannwhitneyu(method="asymptotic")` and R's `wilcox.test(exact = FALSE)` compute.
 *
 *   U = R_canary - n_c (n_c + 1) / 2,   mean n_c n_b / 2,
 *   variance n_c n_b / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))   (t: sizes of tied groups)
 *
 * The normal approximation is used from MIN_RANK_SAMPLES answers per sample on (Siegel and
 * Castellan, "Nonparametric Statistics", 6.4: adequate once both samples exceed 10); below that
 * the comparison is not judged. A rank test says whether the canary is slower, not by how much:
 * the size is the Hodges–Lehmann estimate of the shift (the median of all pairwise
 * differences), which the tolerance is compared with.
 */
import { normalQuantile, normalSf } from './normal.js';

export const MIN_RANK_SAMPLES = 10;

export interface RankTest {
  /** U of the first sample (the canary): how many (canary, baseline) pairs the canary's is larger in; ties count 1/2. */
  readonly u: number;
  readonly z: number;
  /** One-sided p-value: the canary's values are stochastically larger (slower). */
  readonly pGreater: number;
  readonly pTwoSided: number;
  /** Sizes of the groups of tied values (2 or more). */
  readonly ties: readonly number[];
}

/** Ranks 1..n of `values`, tied values sharing the average of their ranks. */
export function averageRanks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position += 1)
      ranks[(order[position] as { index: number }).index] = rank;
    if (end > start) ties.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, ties };
}

export function mannWhitneyU(
  canary: readonly number[],
  baseline: readonly number[],
  options: { continuity?: boolean } = {},
): RankTest {
  const continuity = options.continuity ?? true;
  const n1 = canary.length;
  const n2 = baseline.length;
  const n = n1 + n2;
  const { ranks, ties } = averageRanks([...canary, ...baseline]);
  const rankSum = ranks.slice(0, n1).reduce((sum, rank) => sum + rank, 0);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const tieTerm = ties.reduce((sum, t) => sum + t ** 3 - t, 0);
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - (n > 1 ? tieTerm / (n * (n - 1)) : 0)));
  const correction = continuity ? 0.5 : 0;
  // Every value tied (no variance): no evidence either way.
  const zOf = (statistic: number): number => (sd > 0 ? (statistic - mean - correction) / sd : 0);
  const z = zOf(u);
  const larger = Math.max(u, n1 * n2 - u);
  return {
    u,
    z,
    pGreater: sd > 0 ? normalSf(z) : 1,
    pTwoSided: sd > 0 ? Math.min(1, 2 * normalSf(zOf(larger))) : 1,
    ties,
  };
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function medianOf(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : median([...values].sort((a, b) => a - b));
}

/** The Hodges–Lehmann shift: the median of canary[i] - baseline[j] over all pairs. */
export function hodgesLehmannShift(
  canary: readonly number[],
  baseline: readonly number[],
): number | undefined {
  if (canary.length === 0 || baseline.length === 0) return undefined;
  const differences: number[] = [];
  for (const x of canary) for (const y of baseline) differences.push(x - y);
  return median(differences.sort((a, b) => a - b));
}

/**
 * A robust spread of latencies: 1.4826 x the median absolute deviation of both samples, each
 * around its own median (so a shift between them does not count as spread). For normal data it
 * estimates the standard deviation.
 */
export function pooledSpread(canary: readonly number[], baseline: readonly number[]): number {
  const deviations: number[] = [];
  for (const sample of [canary, baseline]) {
    const center = medianOf(sample);
    if (center === undefined) continue;
    for (const value of sample) deviations.push(Math.abs(value - center));
  }
  return 1.4826 * (medianOf(deviations) ?? 0);
}

/**
 * The smallest latency shift the one-sided test at level `alpha` detects with probability
 * `power` for these sample sizes, for a normal-like spread `spread`: Noether's formula
 * (Noether, "Sample size determination for some common nonparametric tests", JASA 82, 1987),
 *   P(canary > baseline) = 1/2 + (z_alpha + z_power) / sqrt(12 c (1 - c) N),  c = n_c / N,
 * turned into a shift with P(X > Y) = Φ(shift / (spread √2)) for a location shift of a normal.
 * Undefined when no shift would be detected that often with so few samples.
 */
export function detectableLatencyShift(
  canaryTotal: number,
  baselineTotal: number,
  spread: number,
  alpha: number,
  power: number,
): number | undefined {
  const total = canaryTotal + baselineTotal;
  if (canaryTotal === 0 || baselineTotal === 0) return undefined;
  const share = canaryTotal / total;
  const probability =
    0.5 +
    (normalQuantile(1 - alpha) + normalQuantile(power)) /
      Math.sqrt(12 * share * (1 - share) * total);
  if (probability >= 1) return undefined;
  return spread * Math.SQRT2 * normalQuantile(probability);
}
