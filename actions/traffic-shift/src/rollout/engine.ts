/**
 * The cloud-neutral rollout engine: read every router, smoke-test, then step the split towards
 * the target on every router in lockstep, baking with probes after each step; on any failure
 * or cancellation restore what each touched router held at the start. It knows no SDK: routers
 * and probes come in through ports.
 */
import type { CanaryJudgement } from '../canary/canary-analysis.js';
import { readLiveWeights, reconcile } from './live-weights.js';
import { rollBack } from './rollback.js';
import type { RolloutReport } from './rollout-report.js';
import {
  RolloutRun,
  type Ending,
  type Failure,
  type RolloutOptions,
  type RolloutPorts,
} from './run.js';
import { smokeTest } from './smoke-test.js';
import { planSteps } from './step-plan.js';
import { bakeWithProbes, checkOwnership, judgeBake, putInForce, summarizeBake } from './step.js';
import { formatSplit, type Split } from './split.js';

export { CANCELLED_ROLLBACK_WAIT_MS } from './rollback.js';
export type * from './rollout-report.js';
export type { Log, RolloutOptions, RolloutPorts } from './run.js';

/** A cancellation (SIGINT/SIGTERM) carries this as the abort reason. */
export class CancelledError extends Error {
  constructor(readonly signalName: string) {
    super(`cancelled (${signalName})`);
    this.name = 'CancelledError';
  }
}

export async function runRollout(
  options: RolloutOptions,
  ports: RolloutPorts,
  signal: AbortSignal,
): Promise<RolloutReport> {
  const run = new RolloutRun(options, ports, signal);

  // 1. Reconcile: what every router holds now; the least advanced one sets the start.
  const unreadable = await readLiveWeights(run);
  if (unreadable) return run.report(unreadable);
  const start = reconcile(run);
  if ('outcome' in start) return run.report(start);

  // 2. Plan the steps, then smoke-test every cloud they send traffic to, before any change.
  planSteps(run, start);
  const smokeFailed = await smokeTest(run);
  if (smokeFailed) return run.report(smokeFailed);
  if (options.dryRun) {
    run.log.info('Dry run: nothing was changed.');
    return run.report({ outcome: 'dry-run', finalSplit: run.unchangedSplit });
  }

  // 3. The steps, each put in force on every router, baked with probes and judged.
  const failure = await runSteps(run);
  if (!failure) return run.report(completed(run));
  if (failure.yielded) {
    // Another shift owns the traffic now: restoring anything would undo it.
    return run.report({
      outcome: 'yielded',
      failureReason: failure.reason,
      finalSplit: 'as the other shift left it',
    });
  }
  if (run.touched.size === 0) {
    // Cancelled between the smoke test and the first write: there is nothing to roll back.
    return run.report({
      outcome: 'failed-unchanged',
      failureReason: failure.reason,
      finalSplit: run.unchangedSplit,
    });
  }

  // 4. Roll back every router that was touched to exactly what it held at the start.
  return run.report(await rollBack(run, failure));
}

/** Every usable router reached the target; in emergency mode some may have been left out. */
function completed(run: RolloutRun): Ending {
  const target = formatSplit(run.options.target);
  if (run.unavailable.size === 0) return { outcome: 'completed', finalSplit: target };
  const left = [...run.unavailable]
    .map(([router, reason]) => `${router.label} could not be moved (${reason})`)
    .join('; ');
  const moved = run.usableRouters().map((router) => router.label);
  return {
    outcome: 'partial',
    failureReason: `${left}; ${moved.length > 0 ? `${moved.join(' and ')} moved to ${target}` : 'no router moved'}`,
    finalSplit: [
      ...run.usableRouters().map((router) => `${router.id}: ${target}`),
      ...[...run.unavailable.keys()].map((router) => `${router.id}: not moved`),
    ].join('; '),
  };
}

/** Runs the planned steps in order until one fails or the run is cancelled. */
async function runSteps(run: RolloutRun): Promise<Failure | undefined> {
  for (const [offset, split] of run.plannedSteps.entries()) {
    const cancelled = run.cancelReason();
    if (cancelled) return { reason: cancelled, detectedAt: Date.now() };
    if (offset > 0) {
      const taken = await checkOwnership(run, offset + 1);
      if (taken) return taken;
    }
    const failure = await runStep(run, split, offset + 1);
    if (failure) return failure;
  }
  return undefined;
}

/** Step `index`: write the split, wait until it is in force, bake it, judge the bake. */
async function runStep(run: RolloutRun, split: Split, index: number): Promise<Failure | undefined> {
  const { log } = run;
  log.info(`Step ${index}/${run.plannedSteps.length}: ${formatSplit(split)}`);
  if (run.usableRouters().length === 0) {
    return { reason: `no router left to move at step ${index}`, detectedAt: Date.now() };
  }
  const started = Date.now();
  const routers = await putInForce(run, split);
  const step = { index, split, routers, inForceMs: Date.now() - started };
  const broken = routers.find((result) => result.error !== undefined);
  // Emergency mode goes on while any router moved; the ones that failed are left out.
  const goOn = run.options.emergency && !run.cancelReason() && routers.some((r) => !r.error);
  if (broken && !goOn) {
    const reason =
      run.cancelReason() ?? `${broken.label}: ${broken.error ?? 'failed'} at step ${index}`;
    run.steps.push({ ...step, failure: reason });
    return { reason, detectedAt: Date.now() };
  }

  const probed = await bakeWithProbes(run, split);
  if ('error' in probed) {
    const reason = `${probed.error} during the bake of step ${index}`;
    run.steps.push({ ...step, failure: reason });
    return { reason, detectedAt: Date.now() };
  }
  const { baked } = probed;
  const bake = summarizeBake(baked);
  const { failure, canary } = judgeBake(baked, index, run.options.canary);
  if (canary) logCanary(run, canary);
  const judged = { ...step, bake, ...(canary ? { canary } : {}) };
  if (failure) {
    log.warning(`  Probes: ${failure.reason}`);
    run.steps.push({ ...judged, failure: failure.reason });
    return failure;
  }
  log.info(
    `  Baked ${(baked.durationMs / 1000).toFixed(1)} s: ${baked.overall.probes} probes, ${baked.overall.failures} failed, p95 ${baked.overall.p95Ms ?? '-'} ms`,
  );
  run.steps.push(judged);
  return undefined;
}

/** One line per compared metric, then the verdict. */
function logCanary(run: RolloutRun, canary: CanaryJudgement): void {
  for (const metric of canary.metrics) {
    run.log.info(
      `  Canary ${metric.path} ${metric.metric}: ${metric.outcome} (${metric.why}; ${canary.canary} n=${metric.canary.n}, ${canary.baseline} n=${metric.baseline.n})`,
    );
  }
  const say = canary.outcome === 'pass' ? run.log.info : run.log.warning;
  say.call(run.log, `  Canary verdict: ${canary.outcome}: ${canary.reason}`);
}
