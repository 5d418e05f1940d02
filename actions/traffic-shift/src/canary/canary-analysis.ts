/**
 * Canary analysis against the other cloud (the live baseline, as in Kayenta's canary-vs-baseline
 * judgement): during a bake the cloud running the new version (the canary) and the other cloud
 * (the baseline, on the version users trust) are probed in the same window, through each cell's
 * own health URL and through the public host name. For each path and metric:
 *
 *   errors   the failure rates, two-proportion z-test (Fisher's exact test when too few failures
 *            are expected for the normal approximation);
 *   latency  the answer times, Mann–Whitney U (one-sided, tie-corrected); the size of the
 *            difference is the Hodges–Lehmann shift.
 *
 * A metric fails when the canary is worse with p below `alpha` AND by more than its tolerance
 * (statistically and practically significant): the clouds differ in region, network and edge,
 * so some difference is expected, and the tolerance says how much. Fewer than MIN_RANK_SAMPLES
 * answers on either side: not judged (said so). The power of each test for the samples taken is
 * reported: the smallest difference it detects 80 % of the time.
 */
import type { ProbeResult, PublicProbeResult } from '../probes/prober.js';
import { otherCloud, type Cloud } from '../rollout/split.js';
import {
  detectableLatencyShift,
  hodgesLehmannShift,
  mannWhitneyU,
  medianOf,
  MIN_RANK_SAMPLES,
  pooledSpread,
} from './mann-whitney.js';
import { compareErrorRates, detectableErrorRateIncrease } from './two-proportion.js';

export interface CanaryOptions {
  /** The cloud running the new version; the other one is the baseline. */
  readonly cloud: Cloud;
  /** Tolerated rise of the failure rate over the baseline's (a fraction: 0.01 = 1 point). */
  readonly maxErrorRateIncrease: number;
  /** Tolerated latency shift over the baseline's (ms). */
  readonly maxLatencyIncreaseMs: number;
  /** One-sided significance level of each test. */
  readonly alpha: number;
}

/** The power the summary reports: the difference each test detects this often. */
export const CANARY_POWER = 0.8;

/**
 * Probe rounds per step when a canary is judged: at least this many answers per cell, so that
 * each comparison has twice the normal approximation's minimum and the latency test detects a
 * shift of about 1.1 standard deviations 80 % of the time at the default alpha (Noether).
 */
export const CANARY_MIN_ROUNDS = 20;

export type ProbePath = 'cells' | 'public';
export type Metric = 'errors' | 'latency';
export type MetricOutcome = 'pass' | 'fail' | 'not judged';

export interface SideFigures {
  /** Probes (errors) or answers (latency) this side has. */
  readonly n: number;
  /** The failure rate (errors) or the median latency in ms (latency). */
  readonly value: number | undefined;
}

export interface MetricVerdict {
  readonly path: ProbePath;
  readonly metric: Metric;
  readonly canary: SideFigures;
  readonly baseline: SideFigures;
  /** Canary minus baseline: a rate difference (fraction) or the Hodges–Lehmann shift (ms). */
  readonly difference: number | undefined;
  readonly tolerance: number;
  readonly test: string;
  /** One-sided p-value that the canary is worse. */
  readonly pValue: number | undefined;
  /** The smallest difference this test detects with CANARY_POWER, for these samples. */
  readonly detectable: number | undefined;
  readonly outcome: MetricOutcome;
  readonly why: string;
}

export interface CanaryJudgement {
  readonly canary: Cloud;
  readonly baseline: Cloud;
  readonly alpha: number;
  readonly metrics: readonly MetricVerdict[];
  readonly outcome: 'pass' | 'fail';
  readonly reason: string;
}

export interface CanarySamples {
  readonly cells: readonly ProbeResult[];
  readonly public: readonly PublicProbeResult[];
}

/** Probes with a latency that means something: answers and timeouts (not refused connections). */
function answered(results: readonly (ProbeResult | PublicProbeResult)[]): number[] {
  return results
    .filter((result) => result.status !== undefined || result.timedOut)
    .map((result) => result.latencyMs);
}

export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)} %`;
}

export function formatPoints(fraction: number): string {
  const points = fraction * 100;
  return `${points >= 0 ? '+' : ''}${Number.isInteger(points) ? points : points.toFixed(1)} pt`;
}

export function formatMs(ms: number, signed = false): string {
  const rounded = Math.abs(ms) >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10;
  return `${signed && rounded >= 0 ? '+' : ''}${rounded} ms`;
}

export function formatP(p: number): string {
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

/** `p < 0.001` or `p = 0.042`. */
function pText(p: number): string {
  const text = formatP(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

function tooFew(canary: number, baseline: number): string | undefined {
  if (canary >= MIN_RANK_SAMPLES && baseline >= MIN_RANK_SAMPLES) return undefined;
  return `too few samples (${canary} and ${baseline}; the normal approximation needs ${MIN_RANK_SAMPLES} each)`;
}

/** What a verdict knows before any test: the path, the metric, both sides and the test's power. */
type VerdictBase = Pick<
  MetricVerdict,
  'path' | 'metric' | 'canary' | 'baseline' | 'tolerance' | 'detectable'
>;

/** A measured difference and its one-sided test. */
interface Measured {
  readonly difference: number;
  readonly test: string;
  readonly pValue: number;
}

/** Why a metric passed or failed, in the metric's own words for each of the three cases. */
interface VerdictWords {
  readonly fail: string;
  readonly notSignificant: string;
  readonly withinTolerance: string;
}

function notJudged(base: VerdictBase, why: string): MetricVerdict {
  return {
    ...base,
    difference: undefined,
    test: '—',
    pValue: undefined,
    outcome: 'not judged',
    why,
  };
}

/** Fails only when the canary is worse with p below alpha AND by more than the tolerance. */
function judged(
  base: VerdictBase,
  measured: Measured,
  alpha: number,
  words: VerdictWords,
): MetricVerdict {
  const significant = measured.pValue < alpha;
  const outcome = significant && measured.difference > base.tolerance ? 'fail' : 'pass';
  const why =
    outcome === 'fail' ? words.fail : significant ? words.withinTolerance : words.notSignificant;
  return { ...base, ...measured, outcome, why };
}

function judgeErrors(
  path: ProbePath,
  canary: readonly (ProbeResult | PublicProbeResult)[],
  baseline: readonly (ProbeResult | PublicProbeResult)[],
  options: CanaryOptions,
): MetricVerdict {
  const failures = (results: typeof canary) => results.filter((result) => !result.ok).length;
  const c = { failures: failures(canary), total: canary.length };
  const b = { failures: failures(baseline), total: baseline.length };
  const rate = (side: typeof c) => (side.total === 0 ? undefined : side.failures / side.total);
  const base: VerdictBase = {
    path,
    metric: 'errors',
    canary: { n: c.total, value: rate(c) },
    baseline: { n: b.total, value: rate(b) },
    tolerance: options.maxErrorRateIncrease,
    detectable: detectableErrorRateIncrease(
      c.total,
      b.total,
      rate(b) ?? 0,
      options.alpha,
      CANARY_POWER,
    ),
  };
  const few = tooFew(c.total, b.total);
  if (few) return notJudged(base, few);
  const test = compareErrorRates(c, b);
  const { alpha } = options;
  const p = pText(test.pGreater);
  const tolerance = formatPoints(options.maxErrorRateIncrease);
  return judged(
    base,
    { difference: test.difference, test: test.method, pValue: test.pGreater },
    alpha,
    {
      fail: `failure rate ${formatPoints(test.difference)} over the baseline (${test.method} ${p} at α = ${alpha}), more than the tolerance of ${tolerance}`,
      notSignificant: `no significant rise (${test.method} ${p}, α = ${alpha})`,
      withinTolerance: `rise of ${formatPoints(test.difference)} within the tolerance of ${tolerance}`,
    },
  );
}

function judgeLatency(
  path: ProbePath,
  canaryResults: readonly (ProbeResult | PublicProbeResult)[],
  baselineResults: readonly (ProbeResult | PublicProbeResult)[],
  options: CanaryOptions,
): MetricVerdict {
  const canary = answered(canaryResults);
  const baseline = answered(baselineResults);
  const base: VerdictBase = {
    path,
    metric: 'latency',
    canary: { n: canary.length, value: medianOf(canary) },
    baseline: { n: baseline.length, value: medianOf(baseline) },
    tolerance: options.maxLatencyIncreaseMs,
    detectable: detectableLatencyShift(
      canary.length,
      baseline.length,
      pooledSpread(canary, baseline),
      options.alpha,
      CANARY_POWER,
    ),
  };
  const few = tooFew(canary.length, baseline.length);
  if (few) return notJudged(base, few);
  const test = mannWhitneyU(canary, baseline);
  const shift = hodgesLehmannShift(canary, baseline) ?? 0;
  const { alpha } = options;
  const p = pText(test.pGreater);
  const tolerance = formatMs(options.maxLatencyIncreaseMs);
  return judged(base, { difference: shift, test: 'Mann–Whitney U', pValue: test.pGreater }, alpha, {
    fail: `latency ${formatMs(shift, true)} over the baseline (Mann–Whitney ${p} at α = ${alpha}), more than the tolerance of ${tolerance}`,
    notSignificant: `not significantly slower (Mann–Whitney ${p}, α = ${alpha})`,
    withinTolerance: `slower by ${formatMs(shift, true)}, within the tolerance of ${tolerance}`,
  });
}

const PATH_WORDS: Record<ProbePath, string> = {
  cells: 'through the cells',
  public: 'through the public host name',
};

/** Compares the canary with the baseline on every path and metric it has samples for. */
export function analyseCanary(samples: CanarySamples, options: CanaryOptions): CanaryJudgement {
  const canary = options.cloud;
  const baseline = otherCloud(canary);
  const paths: [ProbePath, readonly (ProbeResult | PublicProbeResult)[]][] = [
    ['cells', samples.cells],
    ['public', samples.public],
  ];
  const metrics: MetricVerdict[] = [];
  for (const [path, results] of paths) {
    if (results.length === 0) continue;
    const of = (cloud: Cloud) => results.filter((result) => result.cloud === cloud);
    metrics.push(judgeErrors(path, of(canary), of(baseline), options));
    metrics.push(judgeLatency(path, of(canary), of(baseline), options));
  }
  const failed = metrics.find((metric) => metric.outcome === 'fail');
  return {
    canary,
    baseline,
    alpha: options.alpha,
    metrics,
    outcome: failed ? 'fail' : 'pass',
    reason: failed
      ? `canary analysis: ${canary} ${failed.metric === 'errors' ? 'errors' : 'latency'} ${PATH_WORDS[failed.path]}: ${failed.why}`
      : `${canary} is not worse than ${baseline} beyond the tolerances on any path`,
  };
}
