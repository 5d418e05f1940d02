/**
 * What a rollout reports, however it ends: the job summary, the outputs and the rehearsal read
 * these records.
 */
import type { CanaryJudgement } from '../canary/canary-analysis.js';
import type { ProbeResult } from '../probes/prober.js';
import type { ProbeStats } from './probe-stats.js';
import type { RouterChange, RouterReading } from './router.js';
import type { Cloud, Split } from './split.js';

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
  /** The canary compared with the other cloud over this step's bake. */
  readonly canary?: CanaryJudgement;
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

/** `taken-over`: another shift changed the router under this run; it is left to that shift. */
export type RouterRollbackStatus = 'restored' | 'failed' | 'untouched' | 'taken-over';

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
  | 'rollback-failed'
  /** Emergency mode: the shift reached the target on some routers; others could not move. */
  | 'partial'
  /** Another shift changed a router under this run: it stopped and left every router alone. */
  | 'yielded';

/** What one step would write on each router (the dry-run plan). */
export interface PlannedStep {
  readonly split: Split;
  readonly writes: readonly { label: string; writes: string }[];
}

export interface RolloutReport {
  readonly outcome: Outcome;
  readonly target: Split;
  /** The split the schedule started from (the least advanced router when they disagree). */
  readonly initialSplit?: Split;
  readonly readings: readonly { id: string; label: string; reading: RouterReading }[];
  /** Emergency mode: routers that could not be read or written, and why. */
  readonly unavailable: readonly { id: string; label: string; reason: string }[];
  /** Routers another shift changed under this run, and what they hold. */
  readonly takenOver: readonly { id: string; label: string; holds: string }[];
  readonly emergency: boolean;
  readonly plannedSteps: readonly Split[];
  readonly planDetails: readonly PlannedStep[];
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
