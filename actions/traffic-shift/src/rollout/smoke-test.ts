/**
 * Before any change: smoke-test every cloud that will carry traffic at any step, on its own
 * endpoint. A failure ends the run with nothing changed.
 */
import { smoke } from './bake.js';
import { errorText, type Ending, type RolloutRun } from './run.js';
import { CLOUDS } from './split.js';
import { judgedClouds } from './step.js';

/** Records the smoke test in `run.smoke`; an ending when it failed. */
export async function smokeTest(run: RolloutRun): Promise<Ending | undefined> {
  const { prober, options, log } = run;
  if (!prober) {
    log.warning(
      'No smoke-urls: no smoke test and no probes; only API errors and cancellation roll back.',
    );
    return undefined;
  }
  const clouds = CLOUDS.filter((cloud) =>
    run.plannedSteps.some((split) => judgedClouds(run, split).includes(cloud)),
  );
  try {
    const result = await smoke({
      clouds,
      prober,
      count: options.thresholds.minProbes,
      signal: run.signal,
    });
    run.smoke = { clouds, ...result };
  } catch (error) {
    return {
      outcome: 'failed-unchanged',
      failureReason: run.cancelReason() ?? `smoke test failed: ${errorText(error)}`,
      finalSplit: run.unchangedSplit,
    };
  }
  if (run.smoke.failure) {
    log.warning(`Smoke test failed: ${run.smoke.failure}. Nothing was changed.`);
    return {
      outcome: 'failed-unchanged',
      failureReason: `smoke test failed before the first step: ${run.smoke.failure}`,
      finalSplit: run.unchangedSplit,
    };
  }
  log.info(
    `Smoke test passed: ${clouds.join(', ')} (${options.thresholds.minProbes} probes each).`,
  );
  return undefined;
}
