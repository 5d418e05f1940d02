/**
 * The first step of every rollout: read what every router holds, and reconcile the readings
 * into the split the schedule starts from. Nothing has changed yet, so whatever goes wrong here
 * ends the run as it is; and re-running after a crash starts from what the routers hold.
 */
import type { TrafficRouter } from './router.js';
import { errorText, formatSeconds, type Ending, type LiveReading, type RolloutRun } from './run.js';
import { CLOUDS, formatSplit, sameSplit, type Split } from './split.js';

/**
 * Reads every router into `run.readings`; an ending when one cannot be read. In emergency mode a
 * router that cannot be read (its credentials or control plane failing) is set aside in
 * `run.unavailable` and the others go on; only when none can be read does the run end.
 */
export async function readLiveWeights(run: RolloutRun): Promise<Ending | undefined> {
  // The SDKs set no request timeout: a control plane that never answers must not hold the job.
  const readTimeout = AbortSignal.timeout(run.options.changeTimeoutMs);
  const settled = await Promise.allSettled(
    run.routers.map((router) => router.read(AbortSignal.any([run.signal, readTimeout]))),
  );
  const why = (error: unknown): string =>
    run.cancelReason() ??
    (readTimeout.aborted
      ? `no answer within ${formatSeconds(run.options.changeTimeoutMs)}`
      : errorText(error));
  const readings: LiveReading[] = [];
  const failures: string[] = [];
  settled.forEach((outcome, index) => {
    const router = run.routers[index] as TrafficRouter;
    if (outcome.status === 'fulfilled') {
      readings.push({ router, reading: outcome.value });
      return;
    }
    failures.push(`${router.label}: ${why(outcome.reason)}`);
    run.unavailable.set(router, why(outcome.reason));
  });
  if (
    failures.length > 0 &&
    (!run.options.emergency || readings.length === 0 || run.cancelReason())
  ) {
    run.unavailable.clear();
    return {
      outcome: 'failed-unchanged',
      failureReason: `could not read the live weights: ${failures.join('; ')}${
        run.options.emergency || run.routers.length < 2
          ? ''
          : ' (emergency: true moves the other routers regardless)'
      }`,
      finalSplit: 'unchanged',
    };
  }
  run.readings = readings;
  for (const { router, reading } of run.readings) {
    run.log.info(`${router.label} holds ${reading.description}`);
    for (const warning of reading.warnings) run.log.warning(`${router.label}: ${warning}`);
    if (reading.split) run.claim(router, reading.split);
  }
  for (const [router, reason] of run.unavailable) {
    run.log.warning(
      `${router.label} cannot be read (${reason}): emergency mode leaves it as it is and moves the others.`,
    );
  }
  return undefined;
}

/**
 * The split to start from (also kept as `run.initialSplit`), or an ending: no router holds a
 * split one can tell, or the target is already in force on every router.
 */
export function reconcile(run: RolloutRun): Split | Ending {
  const { readings, options } = run;
  const known = readings
    .map(({ reading }) => reading.split)
    .filter((split): split is Split => split !== undefined);
  run.routersAgree =
    known.length === readings.length && known.every((split) => sameSplit(split, known[0] as Split));
  run.unchangedSplit = run.routersAgree && known[0] ? formatSplit(known[0]) : 'unchanged';
  if (known.length === 0) {
    return {
      outcome: 'failed-unchanged',
      failureReason: `cannot tell the current split: ${readings
        .map(({ router, reading }) => `${router.label} holds ${reading.description}`)
        .join('; ')}`,
      finalSplit: run.unchangedSplit,
    };
  }
  const moved = movedSinceExpected(run, known);
  if (moved) return moved;
  const start = leastAdvanced(known, options.target);
  run.initialSplit = start;
  if (!run.routersAgree) run.log.warning(disagreement(readings, start));
  if (run.routersAgree && sameSplit(start, options.target)) {
    run.log.info(
      `${formatSplit(options.target)} is already in force on every router: nothing to do.`,
    );
    return { outcome: 'already-in-force', finalSplit: formatSplit(options.target) };
  }
  return start;
}

/**
 * With an expected start (the split the previous step of a rollout left), routers holding
 * anything else mean another shift moved traffic since: this run must not undo that.
 */
function movedSinceExpected(run: RolloutRun, known: readonly Split[]): Ending | undefined {
  const expected = run.options.expectedStart;
  if (!expected) return undefined;
  if (known.length === run.readings.length && known.every((split) => sameSplit(split, expected)))
    return undefined;
  const held = run.readings
    .map(
      ({ router, reading }) =>
        `${router.label} holds ${reading.split ? formatSplit(reading.split) : reading.description}`,
    )
    .join('; ');
  return {
    outcome: 'failed-unchanged',
    failureReason: `the routers no longer hold ${formatSplit(expected)} (expected-initial-split): ${held}. Another shift has moved traffic since; nothing was changed`,
    finalSplit: run.unchangedSplit,
  };
}

/**
 * The least advanced router sets the pace: the schedule never jumps a router further in one
 * step than the steps allow.
 */
function leastAdvanced(splits: readonly Split[], target: Split): Split {
  return splits.reduce((worst, split) =>
    distance(split, target) > distance(worst, target) ? split : worst,
  );
}

function distance(a: Split, b: Split): number {
  return Math.abs(a[CLOUDS[0]] - b[CLOUDS[0]]);
}

function disagreement(readings: readonly LiveReading[], start: Split): string {
  const held = readings
    .map(
      ({ router, reading }) =>
        `${router.label}: ${reading.split ? formatSplit(reading.split) : reading.description}`,
    )
    .join('; ');
  return `The routers disagree (${held}); the first step brings all of them to the same split, starting from ${formatSplit(start)}.`;
}
