/**
 * The parts of one step: put the split in force on every router (write, then wait until the
 * router says it is in force), bake it with probes, and judge the bake.
 */
import { bake, type BakeResult } from './bake.js';
import type { BakeSummary, RouterStepResult } from './rollout-report.js';
import { errorText, formatSeconds, type Failure, type RolloutRun } from './run.js';
import { routerWrites, type RouterWrite } from './step-plan.js';
import { carrying, type Split } from './split.js';

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
    const baked = await bake({
      clouds: carrying(split),
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

/**
 * The verdict on a bake: why step `index` fails, or undefined when it passes. Today the
 * thresholds on each cloud's own probes (checked round by round during the bake, so a step
 * stops at the first round that cannot pass).
 */
export function judgeBake(baked: BakeResult, index: number): Failure | undefined {
  if (!baked.breach) return undefined;
  return {
    reason: `${baked.breach} at step ${index}`,
    detectedAt: baked.firstFailureAt ?? Date.now(),
  };
}

export function summarizeBake(result: BakeResult): BakeSummary {
  return { durationMs: result.durationMs, overall: result.overall, byCloud: result.byCloud };
}
