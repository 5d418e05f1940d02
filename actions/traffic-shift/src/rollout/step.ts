/**
 * The parts of one step: put the split in force on every router (write, then wait until the
 * router says it is in force), bake it with probes, and judge the bake.
 */
import {
  analyseCanary,
  CANARY_MIN_ROUNDS,
  type CanaryJudgement,
  type CanaryOptions,
} from '../canary/canary-analysis.js';
import { bake, type BakeResult } from './bake.js';
import type { BakeSummary, RouterStepResult } from './rollout-report.js';
import { errorText, formatSeconds, type Failure, type RolloutRun } from './run.js';
import { routerWrites, type RouterWrite } from './step-plan.js';
import { carrying, otherCloud, type Split } from './split.js';

/** Writes the step on every router at once and waits until each has it in force. */
export function putInForce(run: RolloutRun, split: Split): Promise<RouterStepResult[]> {
  return Promise.all(routerWrites(run.routers, split).map((write) => writeRouter(run, write)));
}

async function writeRouter(run: RolloutRun, write: RouterWrite): Promise<RouterStepResult> {
  const { router } = write;
  run.touched.add(router);
  const timeout = AbortSignal.timeout(run.options.changeTimeoutMs);
  try {
    const change = await router.apply(write.split, AbortSignal.any([run.signal, timeout]));
    run.log.info(
      `  ${router.label}: ${change.status} after ${(change.durationMs / 1000).toFixed(1)} s (${change.detail})`,
    );
    return { id: router.id, label: router.label, change };
  } catch (error) {
    const text =
      run.cancelReason() ??
      (timeout.aborted
        ? `not in force after ${formatSeconds(run.options.changeTimeoutMs)}`
        : errorText(error));
    run.log.warning(`  ${router.label}: ${text}`);
    return { id: router.id, label: router.label, error: text };
  }
}

/** Holds the step for the bake time, probing every cloud that carries traffic under it. */
export async function bakeWithProbes(
  run: RolloutRun,
  split: Split,
): Promise<{ baked: BakeResult } | { error: string }> {
  const { options } = run;
  try {
    const canary = options.canary?.cloud;
    const baked = await bake({
      clouds: carrying(split),
      // Both sides of a canary comparison are probed on their own URLs every round, whatever
      // share each carries; the thresholds judge only the clouds carrying traffic.
      ...(canary ? { compared: [canary, otherCloud(canary)], minRounds: CANARY_MIN_ROUNDS } : {}),
      prober: run.prober,
      bakeMs: options.bakeMs,
      intervalMs: options.probeIntervalMs,
      thresholds: options.thresholds,
      signal: run.signal,
    });
    return { baked };
  } catch (error) {
    return { error: run.cancelReason() ?? `probing failed: ${errorText(error)}` };
  }
}

/** What judging a bake found: why the step fails (if it does), and the canary comparison. */
export interface BakeVerdict {
  readonly failure?: Failure;
  readonly canary?: CanaryJudgement;
}

/**
 * The verdict on a bake, the place to extend how a step is judged (ADR 6). First the ceilings
 * on each cloud's own probes (checked round by round during the bake, so a step stops at the
 * first round that cannot pass); then, when the run judges a canary, the comparison of the
 * canary's probes with the other cloud's over the whole bake (never round by round: testing
 * again after every round would raise the false alarm rate far above alpha).
 */
export function judgeBake(
  baked: BakeResult,
  index: number,
  canaryOptions?: CanaryOptions,
): BakeVerdict {
  if (baked.breach) {
    return {
      failure: {
        reason: `${baked.breach} at step ${index}`,
        detectedAt: baked.firstFailureAt ?? Date.now(),
      },
    };
  }
  if (!canaryOptions || baked.results.length === 0) return {};
  const canary = analyseCanary(
    { cells: baked.results, public: baked.publicResults },
    canaryOptions,
  );
  if (canary.outcome === 'pass') return { canary };
  return {
    canary,
    failure: { reason: `${canary.reason} at step ${index}`, detectedAt: Date.now() },
  };
}

export function summarizeBake(result: BakeResult): BakeSummary {
  return { durationMs: result.durationMs, overall: result.overall, byCloud: result.byCloud };
}
