/**
 * The plan of a rollout: the splits from the start to the target, and what each step writes on
 * each router. `routerWrites` is the one place that says which split a router is given for a
 * step; both the plan (dry run, log) and the writes go through it.
 */
import type { RolloutRun } from './run.js';
import type { TrafficRouter } from './router.js';
import { stepSplits } from './schedule.js';
import { formatSplit, type Split } from './split.js';

/** One router's share of a step: the split it is to put in force. */
export interface RouterWrite {
  readonly router: TrafficRouter;
  readonly split: Split;
}

/** Every router takes the step's split as it is: the routers move in lockstep. */
export function routerWrites(routers: readonly TrafficRouter[], split: Split): RouterWrite[] {
  return routers.map((router) => ({ router, split }));
}

/** Plans the steps from `start` into `run.plannedSteps` and `run.planDetails`, and logs them. */
export function planSteps(run: RolloutRun, start: Split): void {
  const { options, log } = run;
  const scheduled = stepSplits(start, options.target, options.steps);
  // Nothing to step through, yet a router is off target (they disagreed): one step to it.
  run.plannedSteps = scheduled.length > 0 ? scheduled : [options.target];
  log.info(
    `Plan: ${formatSplit(start)} -> ${formatSplit(options.target)} in ${run.plannedSteps.length} step(s): ${run.plannedSteps
      .map((split, index) => `${index + 1}) ${formatSplit(split)}`)
      .join('  ')}`,
  );
  run.planDetails = run.plannedSteps.map((split) => ({
    split,
    writes: routerWrites(run.routers, split).map((write) => ({
      label: write.router.label,
      writes: write.router.describe(write.split),
    })),
  }));
  for (const [index, detail] of run.planDetails.entries()) {
    for (const write of detail.writes)
      log.info(`  step ${index + 1} on ${write.label}: ${write.writes}`);
  }
}
