/**
 * The cloud-neutral rollout engine: read every router, smoke-test, then step the split towards
 * the target on every router in lockstep, baking with probes after each step; on any failure
 * or cancellation restore what each touched router held at the start. It knows no SDK: routers
 * and probes come in through ports.
 */
import type { Prober, ProbeResult } from '../probes/prober.js';
import { bake, smoke, type BakeResult, type Thresholds } from './bake.js';
import type { ProbeStats } from './probe-stats.js';
import type { RouterChange, RouterReading, TrafficRouter } from './router.js';
import { stepSplits } from './schedule.js';
import { CLOUDS, carrying, formatSplit, sameSplit, type Cloud, type Split } from './split.js';

export interface RolloutOptions {
  readonly target: Split;
  /** Cumulative percentages of the way to the target, strictly increasing, ending at 100. */
  readonly steps: readonly number[];
  readonly bakeMs: number;
  readonly probeIntervalMs: number;
  readonly thresholds: Thresholds;
  readonly dryRun: boolean;
  /** Longest wait for one router to put one split in force. */
  readonly changeTimeoutMs: number;
}

export interface Log {
  info(message: string): void;
  warning(message: string): void;
}

export interface RolloutPorts {
  readonly routers: readonly TrafficRouter[];
  /** Undefined when no smoke URLs were given: no smoke test, bakes only wait. */
  readonly prober: Prober | undefined;
  readonly log: Log;
}

export interface RouterStepResult {
  readonly id: string;
  readonly label: string;
  readonly change?: RouterChange;
  readonly error?: string;
}

export interface StepRecord {
  /** 1-based. */
  readonly index: number;
  readonly split: Split;
  readonly routers: readonly RouterStepResult[];
  /** From the step's first write until the slowest router had it in force. */
  readonly inForceMs: number;
  readonly bake?: BakeSummary;
  readonly failure?: string;
}

export interface BakeSummary {
  readonly durationMs: number;
  readonly overall: ProbeStats;
  readonly byCloud: ReadonlyMap<Cloud, ProbeStats>;
}

export interface SmokeRecord {
  readonly clouds: readonly Cloud[];
  readonly results: readonly ProbeResult[];
  readonly failure?: string;
}

export type RouterRollbackStatus = 'restored' | 'failed' | 'untouched';

export interface RouterRollback {
  readonly id: string;
  readonly label: string;
  readonly status: RouterRollbackStatus;
  readonly change?: RouterChange;
  readonly error?: string;
  /** What the router holds after the rollback (read back when the rollback failed). */
  readonly holds: string;
}

export interface RollbackRecord {
  readonly reason: string;
  readonly routers: readonly RouterRollback[];
  readonly durationMs: number;
  /** From the first failed probe (or the failure) to every touched router restored. */
  readonly detectionToRestoredMs: number;
}

export type Outcome =
  | 'completed'
  | 'already-in-force'
  | 'dry-run'
  | 'failed-unchanged'
  | 'rolled-back'
  | 'rollback-failed';

export interface RolloutReport {
  readonly outcome: Outcome;
  readonly target: Split;
  /** The split the schedule started from (the least advanced router when they disagree). */
  readonly initialSplit?: Split;
  readonly readings: readonly { id: string; label: string; reading: RouterReading }[];
  readonly plannedSteps: readonly Split[];
  /** What each step would write on each router (the dry-run plan). */
  readonly planDetails: readonly {
    split: Split;
    writes: readonly { label: string; writes: string }[];
  }[];
  readonly smoke?: SmokeRecord;
  readonly steps: readonly StepRecord[];
  readonly rollback?: RollbackRecord;
  readonly failureReason?: string;
  /** `aws=..,azure=..` when every router agrees, else each router's own. */
  readonly finalSplit: string;
  readonly stepsCompleted: number;
  readonly startedAt: number;
  readonly durationMs: number;
}

/** A cancellation (SIGINT/SIGTERM) carries this as the abort reason. */
export class CancelledError extends Error {
  constructor(readonly signalName: string) {
    super(`cancelled (${signalName})`);
    this.name = 'CancelledError';
  }
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** How long a rollback after cancellation waits for its writes to be in force. */
export const CANCELLED_ROLLBACK_WAIT_MS = 5000;

function seconds(ms: number): string {
  return `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
}

function distance(a: Split, b: Split): number {
  return Math.abs(a[CLOUDS[0]] - b[CLOUDS[0]]);
}

function summarizeBake(result: BakeResult): BakeSummary {
  return { durationMs: result.durationMs, overall: result.overall, byCloud: result.byCloud };
}

export async function runRollout(
  options: RolloutOptions,
  ports: RolloutPorts,
  signal: AbortSignal,
): Promise<RolloutReport> {
  const { routers, prober, log } = ports;
  const startedAt = Date.now();
  const steps: StepRecord[] = [];
  const touched = new Set<TrafficRouter>();
  let planDetails: RolloutReport['planDetails'] = [];
  const report = (
    fields: Omit<
      RolloutReport,
      'target' | 'steps' | 'stepsCompleted' | 'startedAt' | 'durationMs' | 'planDetails'
    >,
  ): RolloutReport => ({
    target: options.target,
    planDetails,
    steps,
    stepsCompleted: steps.filter((step) => !step.failure).length,
    startedAt,
    durationMs: Date.now() - startedAt,
    ...fields,
  });

  // 1. Read every router. Nothing has changed yet, so any failure ends the run as it is.
  // The SDKs set no request timeout: a control plane that never answers must not hold the job.
  let readings: { router: TrafficRouter; reading: RouterReading }[];
  const readTimeout = AbortSignal.timeout(options.changeTimeoutMs);
  try {
    readings = await Promise.all(
      routers.map(async (router) => ({
        router,
        reading: await router.read(AbortSignal.any([signal, readTimeout])),
      })),
    );
  } catch (error) {
    const reason = signal.aborted
      ? message(signal.reason)
      : readTimeout.aborted
        ? `no answer within ${seconds(options.changeTimeoutMs)}`
        : message(error);
    return report({
      outcome: 'failed-unchanged',
      readings: [],
      plannedSteps: [],
      failureReason: `could not read the live weights: ${reason}`,
      finalSplit: 'unchanged',
    });
  }
  const publicReadings = readings.map(({ router, reading }) => ({
    id: router.id,
    label: router.label,
    reading,
  }));
  for (const { router, reading } of readings) {
    log.info(`${router.label} holds ${reading.description}`);
    for (const warning of reading.warnings) log.warning(`${router.label}: ${warning}`);
  }

  const known = readings.filter(
    (entry): entry is { router: TrafficRouter; reading: RouterReading & { split: Split } } =>
      entry.reading.split !== undefined,
  );
  const agree =
    known.length === readings.length &&
    known.every((entry) =>
      sameSplit(entry.reading.split, (known[0] as (typeof known)[number]).reading.split),
    );
  const unchangedSplit = agree && known[0] ? formatSplit(known[0].reading.split) : 'unchanged';
  if (known.length === 0) {
    return report({
      outcome: 'failed-unchanged',
      readings: publicReadings,
      plannedSteps: [],
      failureReason: `cannot tell the current split: ${readings
        .map(({ router, reading }) => `${router.label} holds ${reading.description}`)
        .join('; ')}`,
      finalSplit: unchangedSplit,
    });
  }
  // The least advanced router sets the pace: the schedule never jumps a router further in
  // one step than the steps allow.
  const initialSplit = known
    .map((entry) => entry.reading.split)
    .reduce((worst, split) =>
      distance(split, options.target) > distance(worst, options.target) ? split : worst,
    );
  if (!agree) {
    log.warning(
      `The routers disagree (${readings
        .map(
          ({ router, reading }) =>
            `${router.label}: ${reading.split ? formatSplit(reading.split) : reading.description}`,
        )
        .join(
          '; ',
        )}); the first step brings all of them to the same split, starting from ${formatSplit(initialSplit)}.`,
    );
  }

  if (agree && sameSplit(initialSplit, options.target)) {
    log.info(`${formatSplit(options.target)} is already in force on every router: nothing to do.`);
    return report({
      outcome: 'already-in-force',
      readings: publicReadings,
      initialSplit,
      plannedSteps: [],
      finalSplit: formatSplit(options.target),
    });
  }

  let plannedSteps = stepSplits(initialSplit, options.target, options.steps);
  if (plannedSteps.length === 0) plannedSteps = [options.target];
  log.info(
    `Plan: ${formatSplit(initialSplit)} -> ${formatSplit(options.target)} in ${plannedSteps.length} step(s): ${plannedSteps
      .map((split, index) => `${index + 1}) ${formatSplit(split)}`)
      .join('  ')}`,
  );
  planDetails = plannedSteps.map((split) => ({
    split,
    writes: routers.map((router) => ({ label: router.label, writes: router.describe(split) })),
  }));
  for (const [index, detail] of planDetails.entries()) {
    for (const write of detail.writes)
      log.info(`  step ${index + 1} on ${write.label}: ${write.writes}`);
  }

  // 2. Smoke-test every cloud that will carry traffic at any step, before any change.
  const smokeClouds = CLOUDS.filter((cloud) =>
    plannedSteps.some((split) => carrying(split).includes(cloud)),
  );
  let smokeRecord: SmokeRecord | undefined;
  if (prober) {
    try {
      const result = await smoke({
        clouds: smokeClouds,
        prober,
        count: options.thresholds.minProbes,
        signal,
      });
      smokeRecord = { clouds: smokeClouds, ...result };
    } catch (error) {
      return report({
        outcome: 'failed-unchanged',
        readings: publicReadings,
        initialSplit,
        plannedSteps,
        failureReason: signal.aborted
          ? message(signal.reason)
          : `smoke test failed: ${message(error)}`,
        finalSplit: unchangedSplit,
      });
    }
    if (smokeRecord.failure) {
      log.warning(`Smoke test failed: ${smokeRecord.failure}. Nothing was changed.`);
      return report({
        outcome: 'failed-unchanged',
        readings: publicReadings,
        initialSplit,
        plannedSteps,
        smoke: smokeRecord,
        failureReason: `smoke test failed before the first step: ${smokeRecord.failure}`,
        finalSplit: unchangedSplit,
      });
    }
    log.info(
      `Smoke test passed: ${smokeClouds.join(', ')} (${options.thresholds.minProbes} probes each).`,
    );
  } else {
    log.warning(
      'No smoke-urls: no smoke test and no probes; only API errors and cancellation roll back.',
    );
  }

  if (options.dryRun) {
    log.info('Dry run: nothing was changed.');
    return report({
      outcome: 'dry-run',
      readings: publicReadings,
      initialSplit,
      plannedSteps,
      ...(smokeRecord ? { smoke: smokeRecord } : {}),
      finalSplit: unchangedSplit,
    });
  }

  // 3. The steps.
  let failure: { reason: string; detectedAt: number } | undefined;
  for (const [offset, split] of plannedSteps.entries()) {
    const index = offset + 1;
    if (signal.aborted) {
      failure = { reason: message(signal.reason), detectedAt: Date.now() };
      break;
    }
    log.info(`Step ${index}/${plannedSteps.length}: ${formatSplit(split)}`);
    const stepStarted = Date.now();
    const results = await Promise.all(
      routers.map(async (router): Promise<RouterStepResult> => {
        touched.add(router);
        const timeout = AbortSignal.timeout(options.changeTimeoutMs);
        try {
          const change = await router.apply(split, AbortSignal.any([signal, timeout]));
          log.info(
            `  ${router.label}: ${change.status} after ${(change.durationMs / 1000).toFixed(1)} s (${change.detail})`,
          );
          return { id: router.id, label: router.label, change };
        } catch (error) {
          const text = signal.aborted
            ? message(signal.reason)
            : timeout.aborted
              ? `not in force after ${seconds(options.changeTimeoutMs)}`
              : message(error);
          log.warning(`  ${router.label}: ${text}`);
          return { id: router.id, label: router.label, error: text };
        }
      }),
    );
    const inForceMs = Date.now() - stepStarted;
    const broken = results.find((result) => result.error !== undefined);
    if (broken) {
      const reason = signal.aborted
        ? message(signal.reason)
        : `${broken.label}: ${broken.error ?? 'failed'} at step ${index}`;
      steps.push({ index, split, routers: results, inForceMs, failure: reason });
      failure = { reason, detectedAt: Date.now() };
      break;
    }

    const clouds = carrying(split);
    let baked: BakeResult;
    try {
      baked = await bake({
        clouds,
        prober,
        bakeMs: options.bakeMs,
        intervalMs: options.probeIntervalMs,
        thresholds: options.thresholds,
        signal,
      });
    } catch (error) {
      const reason = signal.aborted ? message(signal.reason) : `probing failed: ${message(error)}`;
      steps.push({
        index,
        split,
        routers: results,
        inForceMs,
        failure: `${reason} during the bake of step ${index}`,
      });
      failure = { reason: `${reason} during the bake of step ${index}`, detectedAt: Date.now() };
      break;
    }
    const bakeSummary = summarizeBake(baked);
    if (baked.breach) {
      const reason = `${baked.breach} at step ${index}`;
      log.warning(`  Probes: ${reason}`);
      steps.push({ index, split, routers: results, inForceMs, bake: bakeSummary, failure: reason });
      failure = { reason, detectedAt: baked.firstFailureAt ?? Date.now() };
      break;
    }
    log.info(
      `  Baked ${(baked.durationMs / 1000).toFixed(1)} s: ${baked.overall.probes} probes, ${baked.overall.failures} failed, p95 ${baked.overall.p95Ms ?? '-'} ms`,
    );
    steps.push({ index, split, routers: results, inForceMs, bake: bakeSummary });
  }

  if (!failure) {
    return report({
      outcome: 'completed',
      readings: publicReadings,
      initialSplit,
      plannedSteps,
      ...(smokeRecord ? { smoke: smokeRecord } : {}),
      finalSplit: formatSplit(options.target),
    });
  }

  if (touched.size === 0) {
    // Cancelled between the smoke test and the first write: there is nothing to roll back.
    return report({
      outcome: 'failed-unchanged',
      readings: publicReadings,
      initialSplit,
      plannedSteps,
      ...(smokeRecord ? { smoke: smokeRecord } : {}),
      failureReason: failure.reason,
      finalSplit: unchangedSplit,
    });
  }

  // 4. Roll back every router that was touched to exactly what it held at the start. A
  // cancelled job is killed soon (GitHub: SIGTERM 7.5 s after SIGINT, then SIGKILL): the writes
  // go out at once either way, but the wait for them to be in force is cut short so the
  // summary and outputs are written before the kill.
  const rollbackTimeoutMs = signal.aborted
    ? Math.min(options.changeTimeoutMs, CANCELLED_ROLLBACK_WAIT_MS)
    : options.changeTimeoutMs;
  const rollback = await rollBack(readings, touched, failure, rollbackTimeoutMs, log);
  const failedRollback = rollback.routers.some((router) => router.status === 'failed');
  const finals = readings.map(({ router, reading }) => {
    const entry = rollback.routers.find((item) => item.id === router.id);
    return entry?.status === 'failed' ? undefined : reading.split;
  });
  const finalSplit =
    !failedRollback && agree && finals.every((split) => split !== undefined)
      ? formatSplit(initialSplit)
      : rollback.routers.map((router) => `${router.id}: ${router.holds}`).join('; ');
  return report({
    outcome: failedRollback ? 'rollback-failed' : 'rolled-back',
    readings: publicReadings,
    initialSplit,
    plannedSteps,
    ...(smokeRecord ? { smoke: smokeRecord } : {}),
    rollback,
    failureReason: failedRollback
      ? `${failure.reason}; the rollback failed: ${rollback.routers
          .map((router) => `${router.label} holds ${router.holds}`)
          .join('; ')}`
      : failure.reason,
    finalSplit,
  });
}

async function rollBack(
  readings: readonly { router: TrafficRouter; reading: RouterReading }[],
  touched: ReadonlySet<TrafficRouter>,
  failure: { reason: string; detectedAt: number },
  timeoutMs: number,
  log: Log,
): Promise<RollbackRecord> {
  const started = Date.now();
  log.warning(`Rolling back (${failure.reason}).`);
  // A fresh signal: the run's own may be aborted (cancellation) and the rollback must still
  // run. Further SIGINT/SIGTERM are ignored by the caller while this runs.
  const routers = await Promise.all(
    readings.map(async ({ router, reading }): Promise<RouterRollback> => {
      if (!touched.has(router)) {
        return {
          id: router.id,
          label: router.label,
          status: 'untouched',
          holds: reading.description,
        };
      }
      const timeout = AbortSignal.timeout(timeoutMs);
      const restoredAs = reading.restoredAs ?? reading.description;
      try {
        const change = await router.restore(reading, timeout);
        log.info(`  ${router.label}: restored ${restoredAs} (${change.status})`);
        return {
          id: router.id,
          label: router.label,
          status: 'restored',
          change,
          holds: restoredAs,
        };
      } catch (error) {
        const problem = timeout.aborted
          ? `not confirmed in force after ${seconds(timeoutMs)}`
          : message(error);
        let holds: string;
        let restored = false;
        try {
          const now = await router.read(AbortSignal.timeout(Math.min(timeoutMs, 30_000)));
          holds = now.description;
          restored = now.description === restoredAs;
        } catch (readError) {
          holds = `unknown (it could not be read either: ${message(readError)})`;
        }
        if (restored) {
          // The write went through (reading it back shows the initial weights); only the wait
          // for it to be in force did not finish.
          log.warning(`  ${router.label}: restored ${holds}, but ${problem}`);
          return { id: router.id, label: router.label, status: 'restored', error: problem, holds };
        }
        log.warning(`  ${router.label}: rollback failed (${problem}); it holds ${holds}`);
        return {
          id: router.id,
          label: router.label,
          status: 'failed',
          error: problem,
          holds,
        };
      }
    }),
  );
  const finished = Date.now();
  return {
    reason: failure.reason,
    routers,
    durationMs: finished - started,
    detectionToRestoredMs: finished - failure.detectedAt,
  };
}
