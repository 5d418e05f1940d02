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
import type { TrafficRouter } from './router.js';
import { carrying, otherCloud, type Cloud, type Split } from './split.js';

/** Writes the step on every usable router at once and waits until each has it in force. */
export function putInForce(run: RolloutRun, split: Split): Promise<RouterStepResult[]> {
  return Promise.all(
    routerWrites(run.usableRouters(), split).map((write) => writeRouter(run, write)),
  );
}

async function writeRouter(run: RolloutRun, write: RouterWrite): Promise<RouterStepResult> {
  const { router } = write;
  run.touched.add(router);
  run.claim(router, write.split);
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
    if (run.options.emergency && !run.cancelReason()) {
      run.unavailable.set(router, text);
      run.log.warning(
        `  ${router.label} is left out from here on (emergency mode); the others go on.`,
      );
    }
    return { id: router.id, label: router.label, error: text };
  }
}

/**
 * Before each step after the first: does every router this run wrote to still hold what this
 * run put there? Anything else was written by another shift (an emergency shift, ADR 20),
 * which then owns the traffic: the run stops and leaves every router as it is.
 */
export async function checkOwnership(run: RolloutRun, index: number): Promise<Failure | undefined> {
  const routers = [...run.touched].filter((router) => !run.unavailable.has(router));
  const readings = await Promise.allSettled(
    routers.map((router) =>
      router.read(AbortSignal.any([run.signal, AbortSignal.timeout(run.options.changeTimeoutMs)])),
    ),
  );
  for (const [position, outcome] of readings.entries()) {
    const router = routers[position] as TrafficRouter;
    if (outcome.status === 'rejected') {
      // Not knowing is not a takeover: the next write (or the rollback) meets the same error.
      run.log.warning(
        `  ${router.label} could not be read before step ${index}: ${errorText(outcome.reason)}`,
      );
      continue;
    }
    if (!run.owns(router, outcome.value.split))
      run.takenOver.set(router, outcome.value.description);
  }
  if (run.takenOver.size === 0) return undefined;
  const changed = [...run.takenOver]
    .map(([router, holds]) => `${router.label} holds ${holds}`)
    .join('; ');
  return {
    reason: `another shift changed the routers under this run before step ${index} (${changed}): stopped, every router left as it is`,
    detectedAt: Date.now(),
    yielded: true,
  };
}

/**
 * The clouds a bake (or the smoke test) judges under `split`: the clouds carrying traffic; in
 * emergency mode only those among them that gain traffic over the shift, since the cloud being
 * drained may well be failing (it is usually why).
 */
export function judgedClouds(run: RolloutRun, split: Split): Cloud[] {
  const clouds = carrying(split);
  const start = run.initialSplit;
  if (!run.options.emergency || !start) return clouds;
  return clouds.filter((cloud) => run.options.target[cloud] > start[cloud]);
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
      clouds: judgedClouds(run, split),
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
