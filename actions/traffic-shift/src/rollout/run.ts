/**
 * One rollout run: what it was asked (options), what it works through (routers, prober, log,
 * the cancellation signal) and what it has learnt so far (the live weights, the split it starts
 * from, the plan, the smoke test, the steps). Every report carries all of that, however far the
 * run got, so the steps record into the run and the report is built in one place.
 */
import type { CanaryOptions } from '../canary/canary-analysis.js';
import type { Prober } from '../probes/prober.js';
import type { Thresholds } from './bake.js';
import type { PlannedStep, RolloutReport, SmokeRecord, StepRecord } from './rollout-report.js';
import type { RouterReading, TrafficRouter } from './router.js';
import { sameSplit, type Split } from './split.js';

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
  /** Judge each bake's canary against the other cloud (undefined: thresholds only). */
  readonly canary?: CanaryOptions;
  /**
   * Emergency mode: each router moves on its own. A router that cannot be read or written
   * (credentials, control plane) is left out and reported, the others still move; only the
   * clouds gaining traffic are smoke-tested and probed (the other one may be why).
   */
  readonly emergency?: boolean;
  /** The split every router must hold at the start (what the previous step left), if any. */
  readonly expectedStart?: Split;
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

/** What one router held when the run started. */
export interface LiveReading {
  readonly router: TrafficRouter;
  readonly reading: RouterReading;
}

/** How a run ends: the parts of its report that depend on where it stopped. */
export type Ending = Pick<RolloutReport, 'outcome' | 'finalSplit'> &
  Pick<Partial<RolloutReport>, 'failureReason' | 'rollback'>;

/** A failed check, an API error or a cancellation, and when it was first seen. */
export interface Failure {
  readonly reason: string;
  /** Another shift changed a router under this run: stop and leave every router alone. */
  readonly yielded?: boolean;
  /** ms since the epoch: the first failed probe, or when the failure came back. */
  readonly detectedAt: number;
}

export class RolloutRun {
  readonly startedAt = Date.now();
  readonly routers: readonly TrafficRouter[];
  readonly prober: Prober | undefined;
  readonly log: Log;
  /** What each router held at the start, in router order (empty until all were read). */
  readings: readonly LiveReading[] = [];
  /** Every router was read and they all hold the same split. */
  routersAgree = false;
  /** What the run leaves when it changes nothing: the split they agree on, or "unchanged". */
  unchangedSplit = 'unchanged';
  /** The split the schedule starts from: the least advanced router's. */
  initialSplit: Split | undefined;
  plannedSteps: readonly Split[] = [];
  planDetails: readonly PlannedStep[] = [];
  smoke: SmokeRecord | undefined;
  readonly steps: StepRecord[] = [];
  /** Routers written to at least once: the ones a rollback restores. */
  readonly touched = new Set<TrafficRouter>();
  /** Emergency mode: routers that could not be read or written, and why; they are left alone. */
  readonly unavailable = new Map<TrafficRouter, string>();
  /**
   * The splits a router may hold while this run owns it: what it held at the start and every
   * split this run wrote or tried to write. Anything else was written by another shift.
   */
  readonly ours = new Map<TrafficRouter, Split[]>();
  /** Routers another shift changed under this run, with what they hold: left to that shift. */
  readonly takenOver = new Map<TrafficRouter, string>();

  constructor(
    readonly options: RolloutOptions,
    ports: RolloutPorts,
    readonly signal: AbortSignal,
  ) {
    this.routers = ports.routers;
    this.prober = ports.prober;
    this.log = ports.log;
  }

  /** The routers this run still writes to (emergency mode leaves unusable ones out). */
  usableRouters(): TrafficRouter[] {
    return this.readings
      .map(({ router }) => router)
      .filter((router) => !this.unavailable.has(router));
  }

  /** Records that `router` may hold `split` because this run wrote (or tried to write) it. */
  claim(router: TrafficRouter, split: Split): void {
    this.ours.set(router, [...(this.ours.get(router) ?? []), split]);
  }

  /** Whether a router reading `split` still holds something this run put (or found) there. */
  owns(router: TrafficRouter, split: Split | undefined): boolean {
    const known = this.ours.get(router) ?? [];
    return split !== undefined && known.some((mine) => sameSplit(mine, split));
  }

  /** Why the run was cancelled, once it was (the abort reason's message). */
  cancelReason(): string | undefined {
    return this.signal.aborted ? errorText(this.signal.reason) : undefined;
  }

  report(ending: Ending): RolloutReport {
    return {
      target: this.options.target,
      planDetails: this.planDetails,
      steps: this.steps,
      stepsCompleted: this.steps.filter((step) => !step.failure).length,
      startedAt: this.startedAt,
      durationMs: Date.now() - this.startedAt,
      readings: this.readings.map(({ router, reading }) => ({
        id: router.id,
        label: router.label,
        reading,
      })),
      unavailable: [...this.unavailable].map(([router, reason]) => ({
        id: router.id,
        label: router.label,
        reason,
      })),
      takenOver: [...this.takenOver].map(([router, holds]) => ({
        id: router.id,
        label: router.label,
        holds,
      })),
      emergency: this.options.emergency === true,
      ...(this.initialSplit ? { initialSplit: this.initialSplit } : {}),
      plannedSteps: this.plannedSteps,
      ...(this.smoke ? { smoke: this.smoke } : {}),
      ...ending,
    };
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A wait for messages: "0.1 s", "9.5 s", "600 s". */
export function formatSeconds(ms: number): string {
  return `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
}
