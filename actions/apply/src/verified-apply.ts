/**
 * The verified apply: make (or take) the plan, compare its digest with the approved one, and
 * run `terraform apply` on exactly that saved plan only when they are equal. Every refusal
 * happens before `terraform apply` starts, so a refused run changes nothing.
 */
import * as core from '@actions/core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planDigest } from '../../shared/src/plan/plan-digest.js';
import { parsePlan, type PlanModel } from '../../shared/src/plan/plan-model.js';
import { countChanges, describeCounts, hasChanges } from '../../shared/src/plan/plan-summary.js';
import { maskableSecrets, Redactor } from '../../shared/src/plan/redaction.js';
import { fencedBlock } from '../../shared/src/plan/markdown.js';
import { applySavedPlan, classifyTerraformError } from '../../shared/src/terraform/apply.js';
import { describeLockHolder } from '../../shared/src/terraform/state-lock.js';
import { TerraformError, type StateLockInfo } from '../../shared/src/terraform/terraform-error.js';
import { Terraform } from '../../shared/src/terraform/terraform-runner.js';
import type { ApprovedPlan } from './approved-plan.js';
import {
  differenceCount,
  differenceLogLines,
  differenceMarkdown,
  planDifference,
  reviewedListing,
} from './plan-difference.js';
import type { ApplySettings } from './settings.js';
import { selectOutputs, type SelectedOutputs } from './stack-outputs.js';

export type FailureReason =
  'plan-changed' | 'stale-plan' | 'state-locked' | 'no-approved-plan' | 'apply-failed';

export interface ApplyResult {
  applied: boolean;
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

/** Backend settings often carry credentials: the log gets their keys, not their values. */
function commandForLog(line: string): string {
  return line.replace(/(-backend-config=[^=\s]+=)\S*/g, '$1***');
}

function registerSecrets(values: Iterable<string>, redactor: Redactor): void {
  for (const value of values) {
    core.setSecret(value);
    redactor.add(value);
  }
}

async function readPlanModel(terraform: Terraform, planFile: string, jsonFile: string) {
  await terraform.showJsonToFile(planFile, jsonFile);
  try {
    return parsePlan(await readFile(jsonFile, 'utf8'));
  } finally {
    // The JSON holds every sensitive value in clear: it lives no longer than needed.
    await rm(jsonFile, { force: true });
  }
}

function lockedResult(
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

function failedResult(
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

/**
 * The stack's outputs, or undefined (with a warning) when `terraform output` fails: by then the
 * apply has run, so the run must still report `applied` and post its status.
 */
async function readOutputs(
  terraform: Terraform,
  settings: ApplySettings,
  redactor: Redactor,
): Promise<SelectedOutputs | undefined> {
  let all;
  try {
    all = await terraform.output();
  } catch (error) {
    const detail =
      error instanceof TerraformError
        ? redactor.scrub(error.errorText).trim()
        : error instanceof Error
          ? error.message
          : String(error);
    core.warning(
      `Could not read the outputs of stack '${settings.stack}' (terraform output failed), so outputs-json is empty: ${detail}`,
    );
    return undefined;
  }
  const selected = selectOutputs(all, settings.includeSensitiveOutputs);
  registerSecrets(selected.secrets, redactor);
  return selected;
}

export async function verifiedApply(
  settings: ApplySettings,
  approved: ApprovedPlan,
): Promise<ApplyResult> {
  const redactor = new Redactor();
  const terraform = new Terraform({
    workingDirectory: settings.workingDirectory,
    onCommand: (line) => core.info(`[command]${commandForLog(line)}`),
  });
  const workDir = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'apply-'));
  try {
    try {
      await terraform.init({ backendConfig: settings.backendConfig });
    } catch (error) {
      if (error instanceof TerraformError && error.exitCode !== null)
        return failedResult(settings, 'init', error.errorText, redactor);
      throw error;
    }

    let planFile = settings.planPath;
    if (planFile === undefined) {
      planFile = join(workDir, 'plan.tfplan');
      try {
        await terraform.plan({
          out: planFile,
          varFiles: settings.varFiles,
          lockTimeout: settings.lockTimeout,
        });
      } catch (error) {
        if (!(error instanceof TerraformError) || error.exitCode === null) throw error;
        if (classifyTerraformError(error) === 'state-locked')
          return lockedResult(settings, error, redactor);
        return failedResult(settings, 'plan', error.errorText, redactor);
      }
    }

    let plan: PlanModel;
    try {
      plan = await readPlanModel(terraform, planFile, join(workDir, 'plan.json'));
    } catch (error) {
      if (error instanceof TerraformError && error.exitCode !== null)
        return failedResult(settings, 'show', error.errorText, redactor);
      throw error;
    }
    registerSecrets(maskableSecrets(plan.sensitiveStrings), redactor);
    const digest = planDigest(plan);
    core.info(
      `plan-digest of ${settings.planPath ? 'the saved plan' : 'the plan made now'}: ${digest}`,
    );
    core.info(`approved plan-digest: ${approved.digest}`);

    const counts = countChanges(plan);
    if (!hasChanges(counts)) {
      if (digest !== approved.digest) {
        core.notice(
          `Stack '${settings.stack}' has nothing to apply now, although the approved plan had changes: they were applied already, or the code no longer asks for them.`,
        );
      }
      return {
        applied: false,
        digest,
        message: `No changes in stack '${settings.stack}': nothing to apply.`,
        details: 'The plan has no changes: `terraform apply` was not run.',
        reason: 'no changes',
        outputs: await readOutputs(terraform, settings, redactor),
      };
    }

    if (digest !== approved.digest) {
      const listing =
        approved.source === 'comment' ? reviewedListing(approved.comment.body) : undefined;
      const difference = planDifference(listing, plan);
      const lines = differenceLogLines(difference, redactor);
      const what = settings.planPath ? 'The saved plan (plan-path)' : 'The plan made now';
      const message = `${what} for stack '${settings.stack}' is not the plan that was reviewed (${differenceCount(difference)}): approved plan-digest ${approved.digest}, this plan ${digest}. Nothing was applied. Review the new plan (push to the pull request or open a new one) and merge again.`;
      core.startGroup('Difference from the reviewed plan');
      for (const line of lines) core.info(line);
      core.endGroup();
      return {
        applied: false,
        failureReason: 'plan-changed',
        digest,
        message,
        details: `${what} (${describeCounts(counts)}) differs from the reviewed plan.\n\n- approved plan-digest \`${approved.digest}\`\n- this plan's digest \`${digest}\`\n\n${differenceMarkdown(difference, redactor)}`,
        reason: 'the plan changed after review',
        reasonDetail: differenceCount(difference),
      };
    }

    core.info(`The plan is the reviewed plan (${describeCounts(counts)}): applying it.`);
    const outcome = await applySavedPlan(terraform, planFile, {
      lockTimeout: settings.lockTimeout,
    });
    switch (outcome.status) {
      case 'applied': {
        core.startGroup('terraform apply');
        core.info(redactor.scrub(outcome.stdout));
        core.endGroup();
        return {
          applied: true,
          digest,
          message: `Applied the reviewed plan to stack '${settings.stack}' (${describeCounts(counts)}).`,
          details: `Applied the reviewed plan: ${describeCounts(counts)}.`,
          reason: 'applied',
          outputs: await readOutputs(terraform, settings, redactor),
        };
      }
      case 'stale-plan':
        return {
          applied: false,
          failureReason: 'stale-plan',
          digest,
          message: `The saved plan for stack '${settings.stack}' is stale: the state changed after it was made, and Terraform refused it. Nothing was applied. Plan again, have it reviewed, and apply that plan.`,
          details: `Terraform refused the saved plan: the state changed after the plan was made. Nothing was applied.\n\n${fencedBlock(redactor.scrub(outcome.errorText), 'text')}`,
          reason: 'the saved plan is stale (the state changed after planning)',
        };
      case 'state-locked':
        return lockedResult(settings, outcome, redactor, digest);
      case 'failed':
        return failedResult(settings, 'apply', outcome.errorText, redactor, digest);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
