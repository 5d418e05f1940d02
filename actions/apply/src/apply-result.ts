/**
 * What a verified apply ends with, and the words for each way it can end: applied, nothing to
 * apply, or refused / failed with a reason (the `failure-reason` output).
 */
import { fencedBlock } from '../../shared/src/plan/markdown.js';
import type { Redactor } from '../../shared/src/plan/redaction.js';
import { describeLockHolder } from '../../shared/src/terraform/state-lock.js';
import type { StateLockInfo } from '../../shared/src/terraform/terraform-error.js';
import type { ApplySettings } from './settings.js';
import type { SelectedOutputs } from './stack-outputs.js';

export type FailureReason =
  | 'plan-changed'
  | 'stale-plan'
  | 'state-locked'
  | 'no-approved-plan'
  | 'apply-failed'
  | 'data-loss-not-allowed';

export interface ApplyResult {
  applied: boolean;
  /** verify-only: the plan is the reviewed plan and passed every check (nothing applied). */
  verified?: boolean;
  failureReason?: FailureReason;
  /** Digest of the plan that was compared (and applied when applied is true). */
  digest?: string;
  /** One or two sentences for the log and core.setFailed. */
  message: string;
  /** Markdown for the job summary (below the headline). */
  details: string;
  /** Short reason for the comment status line ("the plan changed after review"). */
  reason: string;
  /** Said in brackets after the reason ("2 resources differ"). */
  reasonDetail?: string;
  outputs?: SelectedOutputs;
  lock?: StateLockInfo;
  /** Terraform's error text, scrubbed, for the annotation. */
  errorText?: string;
}

/**
 * Thrown by a step of the apply that ends the run early (a refusal or a Terraform failure);
 * the run returns its result. Every such step comes before `terraform apply` changes anything,
 * or reports what Terraform left.
 */
export class ApplyStopped extends Error {
  constructor(readonly result: ApplyResult) {
    super(result.message);
    this.name = 'ApplyStopped';
  }
}

export function lockedResult(
  settings: ApplySettings,
  error: { lock?: StateLockInfo; errorText: string },
  redactor: Redactor,
  digest?: string,
): ApplyResult {
  const holder = describeLockHolder(error.lock);
  const result: ApplyResult = {
    applied: false,
    failureReason: 'state-locked',
    message: `The state of stack '${settings.stack}' is locked by ${holder}; waited ${settings.lockTimeout} (lock-timeout) without getting it. Nothing was applied. Re-run when that run is done; if it is gone for good, release the lock with \`terraform force-unlock ${error.lock?.id ?? '<lock ID>'}\`.`,
    details: `The state is locked by ${holder}. Waited ${settings.lockTimeout} (\`lock-timeout\`).\n\n${fencedBlock(redactor.scrub(error.errorText), 'text')}`,
    reason: `the state is locked by ${error.lock?.who ?? 'another run'}`,
  };
  if (error.lock) result.lock = error.lock;
  if (digest) result.digest = digest;
  return result;
}

export function failedResult(
  settings: ApplySettings,
  command: string,
  errorText: string,
  redactor: Redactor,
  digest?: string,
): ApplyResult {
  const text = redactor.scrub(errorText).trim() || '(Terraform printed no error text)';
  const result: ApplyResult = {
    applied: false,
    failureReason: 'apply-failed',
    message: `terraform ${command} failed for stack '${settings.stack}'. ${command === 'apply' ? 'The state is as Terraform left it; the action did not edit it. ' : 'Nothing was applied. '}Terraform said: ${text.split('\n').find((line) => line.startsWith('Error:')) ?? text.split('\n')[0]}`,
    details: `\`terraform ${command}\` failed.${command === 'apply' ? ' The state is as Terraform left it.' : ' Nothing was applied.'}\n\n${fencedBlock(text, 'text')}`,
    reason: `terraform ${command} failed`,
    errorText: text,
  };
  if (digest) result.digest = digest;
  return result;
}

export function staleResult(
  settings: ApplySettings,
  errorText: string,
  redactor: Redactor,
  digest: string,
): ApplyResult {
  return {
    applied: false,
    failureReason: 'stale-plan',
    digest,
    message: `The saved plan for stack '${settings.stack}' is stale: the state changed after it was made, and Terraform refused it. Nothing was applied. Plan again, have it reviewed, and apply that plan.`,
    details: `Terraform refused the saved plan: the state changed after the plan was made. Nothing was applied.\n\n${fencedBlock(redactor.scrub(errorText), 'text')}`,
    reason: 'the saved plan is stale (the state changed after planning)',
  };
}
