// The canary compared with the other cloud inside a rollout, with in-memory routers and probes:
// which steps fail, why, what is and is not judged, and what the job summary shows.
import { describe, expect, it } from '@jest/globals';
import {
  analyseCanary,
  CANARY_MIN_ROUNDS,
  type CanaryOptions,
} from '../../src/canary/canary-analysis.js';
import type { Prober, ProbeResult, PublicProbeResult } from '../../src/probes/prober.js';
import { renderSummary } from '../../src/report/summary.js';
import { probeSchedule } from '../../src/rollout/bake.js';
import { runRollout, type RolloutOptions } from '../../src/rollout/engine.js';
import type { Cloud, PerCloud } from '../../src/rollout/split.js';
import { MemoryRouter } from '../support/memory-router.js';

const CANARY: CanaryOptions = {
  cloud: 'azure',
  maxErrorRateIncrease: 0,
  maxLatencyIncreaseMs: 100,
  alpha: 0.01,
};

/** Latencies around `base` ms with a deterministic spread of 0-22 ms; failures on cue. */
function cellProber(
  base: PerCloud<number>,
  options: { fails?: (cloud: Cloud, call: number) => boolean; publicShare?: number } = {},
): Prober {
  let calls = 0;
  let publicCalls = 0;
  const answer = (cloud: Cloud, call: number) => {
    const ok = !(options.fails?.(cloud, call) ?? false);
    return {
      ok,
      status: ok ? 200 : 503,
      latencyMs: base[cloud] + ((call * 7) % 23),
      at: Date.now(),
      ...(ok ? {} : { error: 'HTTP 503' }),
    };
  };
  return {
    async probe(cloud): Promise<ProbeResult> {
      calls += 1;
      return { cloud, ...answer(cloud, calls) };
    },
    async probePublic(): Promise<PublicProbeResult> {
      publicCalls += 1;
      // Every `1/publicShare`-th answer comes from azure, the rest from aws.
      const share = options.publicShare ?? 0.5;
      const cloud: Cloud = publicCalls % Math.round(1 / share) === 0 ? 'azure' : 'aws';
      return { cloud, ...answer(cloud, publicCalls) };
    },
  };
}

const OPTIONS: RolloutOptions = {
  target: { aws: 50, azure: 50 },
  steps: [50, 100],
  bakeMs: 0,
  probeIntervalMs: 1,
  thresholds: { maxErrorRate: 0.5, maxP95LatencyMs: 5000, minProbes: 2 },
  dryRun: false,
  changeTimeoutMs: 5000,
  canary: CANARY,
};
const log = { info: () => undefined, warning: () => undefined };

async function canaryFrom(start: PerCloud<number>, prober: Prober, options = OPTIONS) {
  const route53 = new MemoryRouter('route53', { aws: start.aws, azure: start.azure });
  const report = await runRollout(
    options,
    { routers: [route53], prober, log },
    new AbortController().signal,
  );
  return { report, route53 };
}

describe('canary analysis in a rollout', () => {
  it('fails a canary 150 ms slower than the other cloud and rolls back, under a 5 s ceiling', async () => {
    const { report, route53 } = await canaryFrom(
      { aws: 100, azure: 0 },
      cellProber({ aws: 40, azure: 190 }),
    );
    expect(report.outcome).toBe('rolled-back');
    expect(route53.split).toEqual({ aws: 100, azure: 0 });
    expect(report.failureReason).toMatch(
      /^canary analysis: azure latency through the cells: latency \+15\d ms over the baseline \(Mann–Whitney p < 0\.001 at α = 0\.01\), more than the tolerance of 100 ms at step 1$/,
    );
    const [step] = report.steps;
    expect(
      step?.canary?.metrics.map((metric) => [metric.path, metric.metric, metric.outcome]),
    ).toEqual([
      ['cells', 'errors', 'pass'],
      ['cells', 'latency', 'fail'],
      ['public', 'errors', 'pass'],
      ['public', 'latency', 'fail'],
    ]);
    // Enough rounds for the comparison however short the bake.
    expect(step?.canary?.metrics[0]?.canary.n).toBe(CANARY_MIN_ROUNDS);
  });

  it('passes a canary within the tolerance, and says how small a shift each step would catch', async () => {
    const { report } = await canaryFrom({ aws: 100, azure: 0 }, cellProber({ aws: 40, azure: 60 }));
    expect(report.outcome).toBe('completed');
    expect(report.steps.map((step) => step.canary?.outcome)).toEqual(['pass', 'pass']);
    const latency = report.steps[0]?.canary?.metrics.find(
      (metric) => metric.path === 'cells' && metric.metric === 'latency',
    );
    expect(latency?.why).toMatch(/^slower by \+2\d ms, within the tolerance of 100 ms$/);
    expect(latency?.detectable).toBeGreaterThan(5);
    expect(latency?.detectable).toBeLessThan(20);

    const summary = renderSummary(report);
    expect(summary).toContain(
      '**Canary analysis: azure (new version) against aws (the live baseline)**',
    );
    expect(summary).toContain(
      '| step | path | metric | azure (canary) | aws (baseline) | difference | test | p | detectable (80 % power) | verdict |',
    );
    expect(summary).toMatch(
      /\| 1 \| cells \| latency \| \d+ ms \(20\) \| \d+ ms \(20\) \| \+2\d ms \| Mann–Whitney U \| < 0\.001 \| ≥ \+\d+(\.\d)? ms \| pass \|/,
    );
    expect(summary).toMatch(
      /\| 1 \| cells \| errors \| 0 % of 20 \| 0 % of 20 \| \+0 pt \| Fisher exact \| 1\.000 \|/,
    );
    expect(summary).toContain('bars azure (new version), line aws (baseline)');
    expect(summary).toMatch(/ {2}bar \[\d+, \d+\]\n {2}line \[\d+, \d+\]/);
    expect(summary).toContain(
      '**Verdict: pass**: azure is not worse than aws beyond the tolerances at any step.',
    );
    expect(summary).toMatch(
      /- step 1: 20 and 20 probes through the cells; 80 % of the time \(α = 0\.01\) they detect a latency shift ≥ \+[\d.]+ ms and an error-rate rise ≥ \+[\d.]+ pt\./,
    );
  });

  it('fails a canary whose error rate rises significantly, though under the ceiling', async () => {
    // After the smoke test, azure fails every other probe and aws none: under the 60 % ceiling
    // set here, so only the comparison with aws catches it.
    const { report } = await canaryFrom(
      { aws: 100, azure: 0 },
      cellProber(
        { aws: 40, azure: 40 },
        { fails: (cloud, call) => cloud === 'azure' && call > 4 && call % 4 === 0 },
      ),
      { ...OPTIONS, thresholds: { ...OPTIONS.thresholds, maxErrorRate: 0.6 } },
    );
    expect(report.outcome).toBe('rolled-back');
    expect(report.failureReason).toMatch(
      /^canary analysis: azure errors through the cells: failure rate \+\d+(\.\d)? pt over the baseline \((z-test|Fisher exact) p [\d.<=> ]+ at α = 0\.01\), more than the tolerance of \+0 pt at step 1$/,
    );
  });

  it('leaves a path with too few answers from one cloud unjudged and says so', () => {
    const results = (cloud: Cloud, n: number): ProbeResult[] =>
      Array.from({ length: n }, (_, index) => ({
        cloud,
        ok: true,
        status: 200,
        latencyMs: 40 + index,
        at: 0,
      }));
    const judgement = analyseCanary(
      {
        cells: [...results('aws', 20), ...results('azure', 20)],
        public: [...results('aws', 36), ...results('azure', 4)],
      },
      CANARY,
    );
    const publicLatency = judgement.metrics.find(
      (metric) => metric.path === 'public' && metric.metric === 'latency',
    );
    expect(publicLatency).toMatchObject({
      outcome: 'not judged',
      why: 'too few samples (4 and 36; the normal approximation needs 10 each)',
    });
    expect(judgement.outcome).toBe('pass');
  });

  it('compresses the probe rounds into the bake when the canary needs more of them', () => {
    expect(probeSchedule(60_000, 5000, 3)).toEqual({ rounds: 13, intervalMs: 5000 });
    expect(probeSchedule(60_000, 5000, 3, 20)).toEqual({ rounds: 20, intervalMs: 60_000 / 19 });
    expect(probeSchedule(300_000, 10_000, 3, 20)).toEqual({ rounds: 31, intervalMs: 10_000 });
    expect(probeSchedule(0, 5000, 3, 20)).toEqual({ rounds: 20, intervalMs: 0 });
  });
});
