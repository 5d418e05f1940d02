/**
 * The verified apply: make (or take) the plan, compare its digest with the approved one, and
 * run `terraform apply` on exactly that saved plan only when they are equal. Every refusal
 * happens before `terraform apply` starts, so a refused run changes nothing.
 */
import * as core from '@actions/core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlanListing } from '../../shared/src/plan/plan-comment.js';
import { planDigest } from '../../shared/src/plan/plan-digest.js';
import { parsePlan, type PlanModel } from '../../shared/src/plan/plan-model.js';
import {
  countChanges,
  describeCounts,
  hasChanges,
  type PlanCounts,
} from '../../shared/src/plan/plan-summary.js';
import { maskableSecrets, Redactor, scrubPlanLog } from '../../shared/src/plan/redaction.js';
import { applySavedPlan, classifyTerraformError } from '../../shared/src/terraform/apply.js';
import { TerraformError } from '../../shared/src/terraform/terraform-error.js';
import { Terraform } from '../../shared/src/terraform/terraform-runner.js';
import {
  ApplyStopped,
  failedResult,
  lockedResult,
  staleResult,
  type ApplyResult,
} from './apply-result.js';
import type { ApprovedPlan } from './approved-plan.js';
import { guardDataLoss, type LabelCheck } from './data-loss-guard.js';
import {
  differenceCount,
  differenceLogLines,
  differenceMarkdown,
  planDifference,
} from './plan-difference.js';
import type { ApplySettings } from './settings.js';
import { selectOutputs, type SelectedOutputs } from './stack-outputs.js';

/** What every step of one apply works with. */
interface ApplyRun {
  settings: ApplySettings;
  approved: ApprovedPlan;
  terraform: Terraform;
  /** Knows every sensitive value found so far; scrubs whatever is shown. */
  redactor: Redactor;
  /** Private temporary folder for the plan made here and its JSON; removed at the end. */
  workDir: string;
}

interface PlanToApply {
  planFile: string;
  plan: PlanModel;
  digest: string;
  counts: PlanCounts;
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

/** A Terraform failure (not a failure to start it) ends the run with `result`. */
function stopOnTerraformError(error: unknown, result: (error: TerraformError) => ApplyResult) {
  if (error instanceof TerraformError && error.exitCode !== null)
    return new ApplyStopped(result(error));
  return error;
}

async function initStack(run: ApplyRun): Promise<void> {
  try {
    await run.terraform.init({ backendConfig: run.settings.backendConfig });
  } catch (error) {
    throw stopOnTerraformError(error, (failure) =>
      failedResult(run.settings, 'init', failure.errorText, run.redactor),
    );
  }
}

/** The saved plan given as `plan-path`, or a plan made here (waiting for the lock). */
async function planFileToApply(run: ApplyRun): Promise<string> {
  const { settings } = run;
  if (settings.planPath !== undefined) return settings.planPath;
  const planFile = join(run.workDir, 'plan.tfplan');
  try {
    await run.terraform.plan({
      out: planFile,
      varFiles: settings.varFiles,
      lockTimeout: settings.lockTimeout,
    });
  } catch (error) {
    throw stopOnTerraformError(error, (failure) =>
      classifyTerraformError(failure) === 'state-locked'
        ? lockedResult(settings, failure, run.redactor)
        : failedResult(settings, 'plan', failure.errorText, run.redactor),
    );
  }
  return planFile;
}

/** `show -json` of the plan into the model; its secrets are masked before anything is logged. */
async function readPlanToApply(run: ApplyRun, planFile: string): Promise<PlanToApply> {
  const jsonFile = join(run.workDir, 'plan.json');
  let plan: PlanModel;
  try {
    await run.terraform.showJsonToFile(planFile, jsonFile);
    plan = parsePlan(await readFile(jsonFile, 'utf8'));
  } catch (error) {
    throw stopOnTerraformError(error, (failure) =>
      failedResult(run.settings, 'show', failure.errorText, run.redactor),
    );
  } finally {
    // The JSON holds every sensitive value in clear: it lives no longer than needed.
    await rm(jsonFile, { force: true });
  }
  registerSecrets(maskableSecrets(plan.sensitiveStrings), run.redactor);
  const digest = planDigest(plan, run.settings.digestKey);
  const which = run.settings.planPath ? 'the saved plan' : 'the plan made now';
  core.info(`plan-digest of ${which}: ${digest}`);
  core.info(`approved plan-digest: ${run.approved.digest}`);
  return { planFile, plan, digest, counts: countChanges(plan) };
}

/**
 * The stack's outputs, or undefined (with a warning) when `terraform output` fails: by then the
 * apply has run, so the run must still report `applied` and post its status.
 */
async function readOutputs(run: ApplyRun): Promise<SelectedOutputs | undefined> {
  let all;
  try {
    all = await run.terraform.output();
  } catch (error) {
    const detail =
      error instanceof TerraformError
        ? run.redactor.scrub(error.errorText).trim()
        : error instanceof Error
          ? error.message
          : String(error);
    core.warning(
      `Could not read the outputs of stack '${run.settings.stack}' (terraform output failed), so outputs-json is empty: ${detail}`,
    );
    return undefined;
  }
  const selected = selectOutputs(all, run.settings.includeSensitiveOutputs);
  registerSecrets(selected.secrets, run.redactor);
  return selected;
}

async function nothingToApply(run: ApplyRun, planned: PlanToApply): Promise<ApplyResult> {
  if (planned.digest !== run.approved.digest) {
    core.notice(
      `Stack '${run.settings.stack}' has nothing to apply now, although the approved plan had changes: they were applied already, or the code no longer asks for them.`,
    );
  }
  return {
    applied: false,
    digest: planned.digest,
    message: `No changes in stack '${run.settings.stack}': nothing to apply.`,
    details: 'The plan has no changes: `terraform apply` was not run.',
    reason: 'no changes',
    outputs: await readOutputs(run),
  };
}

/** The refusal of a plan that is not the reviewed one, with what differs, by address. */
function refuseChangedPlan(run: ApplyRun, planned: PlanToApply): ApplyResult {
  const { settings, approved, redactor } = run;
  const reviewed =
    approved.source === 'comment'
      ? readPlanListing(approved.comment.body, settings.stack)
      : undefined;
  const difference = planDifference(reviewed, planned.plan);
  core.startGroup('Difference from the reviewed plan');
  for (const line of differenceLogLines(difference, redactor)) core.info(line);
  core.endGroup();
  const what = settings.planPath ? 'The saved plan (plan-path)' : 'The plan made now';
  const count = differenceCount(difference);
  return {
    applied: false,
    failureReason: 'plan-changed',
    digest: planned.digest,
    message: `${what} for stack '${settings.stack}' is not the plan that was reviewed (${count}): approved plan-digest ${approved.digest}, this plan ${planned.digest}. Nothing was applied. Review the new plan (push to the pull request or open a new one) and merge again.`,
    details: `${what} (${describeCounts(planned.counts)}) differs from the reviewed plan.\n\n- approved plan-digest \`${approved.digest}\`\n- this plan's digest \`${planned.digest}\`\n\n${differenceMarkdown(difference, redactor)}`,
    reason: 'the plan changed after review',
    reasonDetail: count,
  };
}

/** verify-only: every check passed; `terraform apply` is left to a later step (ADR 24). */
function verifiedResult(run: ApplyRun, planned: PlanToApply): ApplyResult {
  const counts = describeCounts(planned.counts);
  return {
    applied: false,
    verified: true,
    digest: planned.digest,
    message: `The plan for stack '${run.settings.stack}' is the reviewed plan (${counts}); verify-only: not applied.`,
    details: `The plan is the reviewed plan (${counts}) and passed the data-loss guard. \`verify-only\`: \`terraform apply\` was not run.`,
    reason: 'verified',
  };
}

/** `terraform apply` of exactly the checked plan file, and what came of it. */
async function applyReviewedPlan(run: ApplyRun, planned: PlanToApply): Promise<ApplyResult> {
  const { settings, redactor } = run;
  const counts = describeCounts(planned.counts);
  core.info(`The plan is the reviewed plan (${counts}): applying it.`);
  const outcome = await applySavedPlan(run.terraform, planned.planFile, {
    lockTimeout: settings.lockTimeout,
  });
  switch (outcome.status) {
    case 'applied':
      core.startGroup('terraform apply');
      core.info(scrubPlanLog(redactor.scrub(outcome.stdout), planned.plan));
      core.endGroup();
      return {
        applied: true,
        digest: planned.digest,
        message: `Applied the reviewed plan to stack '${settings.stack}' (${counts}).`,
        details: `Applied the reviewed plan: ${counts}.`,
        reason: 'applied',
        outputs: await readOutputs(run),
      };
    case 'stale-plan':
      return staleResult(settings, outcome.errorText, redactor, planned.digest);
    case 'state-locked':
      return lockedResult(settings, outcome, redactor, planned.digest);
    case 'failed':
      return failedResult(settings, 'apply', outcome.errorText, redactor, planned.digest);
  }
}

export async function verifiedApply(
  settings: ApplySettings,
  approved: ApprovedPlan,
  labelCheck: LabelCheck,
): Promise<ApplyResult> {
  const run: ApplyRun = {
    settings,
    approved,
    redactor: new Redactor(),
    terraform: new Terraform({
      workingDirectory: settings.workingDirectory,
      onCommand: (line) => core.info(`[command]${commandForLog(line)}`),
    }),
    workDir: await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'apply-')),
  };
  try {
    await initStack(run);
    const planned = await readPlanToApply(run, await planFileToApply(run));
    if (!hasChanges(planned.counts)) return await nothingToApply(run, planned);
    if (planned.digest !== approved.digest) return refuseChangedPlan(run, planned);
    const refused = await guardDataLoss(settings, planned.plan, planned.digest, labelCheck);
    if (refused) return refused;
    if (settings.verifyOnly) return verifiedResult(run, planned);
    return await applyReviewedPlan(run, planned);
  } catch (error) {
    if (error instanceof ApplyStopped) return error.result;
    throw error;
  } finally {
    await rm(run.workDir, { recursive: true, force: true });
  }
}
