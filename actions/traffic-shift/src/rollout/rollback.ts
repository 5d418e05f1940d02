/**
 * The rollback: every router the run wrote to goes back to exactly what it held at the start,
 * all at once; a router that cannot be restored is read back so the report says what it holds.
 */
import type { RollbackRecord, RouterRollback } from './rollout-report.js';
import type { TrafficRouter } from './router.js';
import {
  errorText,
  formatSeconds,
  type Ending,
  type Failure,
  type LiveReading,
  type Log,
  type RolloutRun,
} from './run.js';
import { formatSplit } from './split.js';

/** How long a rollback after cancellation waits for its writes to be in force. */
export const CANCELLED_ROLLBACK_WAIT_MS = 5000;

/** Restores every touched router and says how the run ends. */
export async function rollBack(run: RolloutRun, failure: Failure): Promise<Ending> {
  // A cancelled job is killed soon (GitHub: SIGTERM 7.5 s after SIGINT, then SIGKILL): the
  // writes go out at once either way, but the wait for them to be in force is cut short so the
  // summary and outputs are written before the kill.
  const timeoutMs = run.signal.aborted
    ? Math.min(run.options.changeTimeoutMs, CANCELLED_ROLLBACK_WAIT_MS)
    : run.options.changeTimeoutMs;
  const rollback = await restoreAll(run, failure, timeoutMs);
  if (rollback.routers.some((router) => router.status === 'failed')) {
    return {
      outcome: 'rollback-failed',
      rollback,
      failureReason: `${failure.reason}; the rollback failed: ${rollback.routers
        .map((router) => `${router.label} holds ${router.holds}`)
        .join('; ')}`,
      finalSplit: eachRouterHolds(rollback),
    };
  }
  return {
    outcome: 'rolled-back',
    rollback,
    failureReason: failure.reason,
    // Every router is back where it was: one split when they agreed at the start.
    finalSplit:
      run.routersAgree && run.initialSplit && run.takenOver.size === 0
        ? formatSplit(run.initialSplit)
        : eachRouterHolds(rollback),
  };
}

function eachRouterHolds(rollback: RollbackRecord): string {
  return rollback.routers.map((router) => `${router.id}: ${router.holds}`).join('; ');
}

async function restoreAll(
  run: RolloutRun,
  failure: Failure,
  timeoutMs: number,
): Promise<RollbackRecord> {
  const started = Date.now();
  run.log.warning(`Rolling back (${failure.reason}).`);
  // Each restore gets a fresh signal: the run's own may be aborted (cancellation) and the
  // rollback must still run. Further SIGINT/SIGTERM are ignored by the caller while this runs.
  const routers = await Promise.all(
    run.readings.map((live): Promise<RouterRollback> =>
      run.touched.has(live.router)
        ? restoreUnlessTakenOver(run, live, timeoutMs)
        : Promise.resolve({
            id: live.router.id,
            label: live.router.label,
            status: 'untouched',
            holds: live.reading.description,
          }),
    ),
  );
  const finished = Date.now();
  return {
    reason: failure.reason,
    routers,
    durationMs: finished - started,
    detectionToRestoredMs: finished - failure.detectedAt,
  };
}

/**
 * Restores a router unless another shift wrote to it since (it holds neither what it held at the
 * start nor anything this run wrote): that shift owns it now, and restoring would undo it.
 */
async function restoreUnlessTakenOver(
  run: RolloutRun,
  live: LiveReading,
  timeoutMs: number,
): Promise<RouterRollback> {
  const { router } = live;
  let now;
  try {
    // Short after a cancellation: the restore must still go out before the job is killed.
    now = await router.read(
      AbortSignal.timeout(run.signal.aborted ? 2000 : Math.min(timeoutMs, 30_000)),
    );
  } catch {
    // Unknown: restore as before (the restore meets the same error if the router is down).
    return restoreRouter(live, timeoutMs, run.log);
  }
  if (run.owns(router, now.split)) return restoreRouter(live, timeoutMs, run.log);
  run.takenOver.set(router, now.description);
  run.log.warning(
    `  ${router.label}: not restored, another shift changed it since (it holds ${now.description})`,
  );
  return { id: router.id, label: router.label, status: 'taken-over', holds: now.description };
}

async function restoreRouter(
  { router, reading }: LiveReading,
  timeoutMs: number,
  log: Log,
): Promise<RouterRollback> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const restoredAs = reading.restoredAs ?? reading.description;
  try {
    const change = await router.restore(reading, timeout);
    log.info(`  ${router.label}: restored ${restoredAs} (${change.status})`);
    return { id: router.id, label: router.label, status: 'restored', change, holds: restoredAs };
  } catch (error) {
    const problem = timeout.aborted
      ? `not confirmed in force after ${formatSeconds(timeoutMs)}`
      : errorText(error);
    const holds = await readBack(router, timeoutMs);
    if (holds === restoredAs) {
      // The write went through (reading it back shows the initial weights); only the wait
      // for it to be in force did not finish.
      log.warning(`  ${router.label}: restored ${holds}, but ${problem}`);
      return { id: router.id, label: router.label, status: 'restored', error: problem, holds };
    }
    log.warning(`  ${router.label}: rollback failed (${problem}); it holds ${holds}`);
    return { id: router.id, label: router.label, status: 'failed', error: problem, holds };
  }
}

/** What a router holds after a failed restore, in its own words. */
async function readBack(router: TrafficRouter, timeoutMs: number): Promise<string> {
  try {
    const now = await router.read(AbortSignal.timeout(Math.min(timeoutMs, 30_000)));
    return now.description;
  } catch (readError) {
    return `unknown (it could not be read either: ${errorText(readError)})`;
  }
}
