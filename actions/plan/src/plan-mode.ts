/** mode: plan — init, plan, show -json; outputs, job summary and the sticky comment. */
import * as core from '@actions/core';
import {
  countChanges,
  digestKeyId,
  hasChanges,
  planDigest,
  PlanFormatError,
  Redactor,
  renderPlanComment,
  renderPlanFailure,
  renderPlanSummary,
  scrubPlanLog,
  type PlanModel,
  type ReportContext,
} from '../../shared/src/plan/index.js';
import { assessPlan, risksOutput } from '../../shared/src/risk/index.js';
import { Terraform, TerraformError, type PlanResult } from '../../shared/src/terraform/index.js';
import { createPlanFolder, planFiles } from './plan-files.js';
import { publishComment, readPlanFile, writeSummary } from './publish.js';
import type { RunContext } from '../../shared/src/github/run-context.js';
import type { Settings } from './settings.js';

export function createTerraform(settings: Settings): Terraform {
  // Backend settings often hold credentials, and the command line is logged.
  for (const { value } of settings.backendConfig) if (value.length >= 3) core.setSecret(value);
  return new Terraform({
    workingDirectory: settings.workingDirectory,
    onCommand: (line) => core.info(`[command]${line}`),
  });
}

export function reportContext(
  settings: Settings,
  context: RunContext,
  terraformVersion: string,
): ReportContext {
  const report: ReportContext = {
    stack: settings.stack,
    terraformVersion,
    scope: settings.scope,
    dataLossLabel: settings.dataLossLabel,
  };
  if (context.commitSha) report.commitSha = context.commitSha;
  if (context.runId) report.runId = context.runId;
  if (context.runUrl) report.runUrl = context.runUrl;
  return report;
}

/**
 * A Terraform failure: annotation with Terraform's text, summary, and the comment says so.
 * Terraform's errors can quote a backend setting (e.g. "open <path>: not a directory"), and
 * core.setSecret masks only the log, not a comment: backend values are scrubbed here too.
 */
export async function reportTerraformFailure(
  error: TerraformError,
  settings: Settings,
  context: RunContext,
  report: ReportContext,
  postComment: boolean,
): Promise<void> {
  const redactor = new Redactor(settings.backendConfig.map(({ value }) => value));
  const text = redactor.scrub(error.errorText);
  core.error(text || error.message, {
    title: `terraform ${error.command} failed for stack ${settings.stack}`,
  });
  await writeSummary(renderPlanFailure(report, text, 'summary'));
  if (postComment)
    await publishComment(settings, context, renderPlanFailure(report, text, 'comment'));
}

/** `terraform init` with the backend settings, its output folded in the log. */
export async function initTerraform(terraform: Terraform, settings: Settings): Promise<void> {
  core.startGroup(`terraform init (${settings.stack})`);
  try {
    core.info((await terraform.init({ backendConfig: settings.backendConfig })).stdout);
  } finally {
    core.endGroup();
  }
}

export async function runTerraformPlan(
  terraform: Terraform,
  settings: Settings,
  out: { planPath: string; jsonPath: string },
  refreshOnly = false,
): Promise<{ result: PlanResult; plan: PlanModel }> {
  const result = await terraform.plan({
    out: out.planPath,
    varFiles: settings.varFiles,
    targets: settings.targets,
    replace: settings.replace,
    refreshOnly,
    ...(settings.lock.enabled ? { lockTimeout: settings.lock.timeout } : { lock: false }),
  });
  await terraform.showJsonToFile(out.planPath, out.jsonPath);
  const plan = readPlanFile(out.jsonPath);
  // Printed only now: the values it may show are masked from here on.
  core.startGroup(`terraform plan${refreshOnly ? ' -refresh-only' : ''} (${settings.stack})`);
  core.info(scrubPlanLog(result.stdout, plan));
  core.endGroup();
  return { result, plan };
}

export function setPlanOutputs(
  plan: PlanModel,
  terraformSaysChanges: boolean,
  digest: string,
): void {
  const counts = countChanges(plan);
  core.setOutput('has-changes', String(terraformSaysChanges || hasChanges(counts)));
  core.setOutput('add', String(counts.add));
  core.setOutput('change', String(counts.change));
  core.setOutput('replace', String(counts.replace));
  core.setOutput('destroy', String(counts.destroy));
  core.setOutput('plan-digest', digest);
}

export async function runPlanMode(settings: Settings, context: RunContext): Promise<void> {
  const terraform = createTerraform(settings);
  const version = await terraform.version();
  const files = planFiles(createPlanFolder(settings.stack), 'plan');
  core.setOutput('plan-path', files.planPath);
  core.setOutput('plan-json-path', files.jsonPath);
  const report = reportContext(settings, context, version);

  let planned: { result: PlanResult; plan: PlanModel };
  try {
    await initTerraform(terraform, settings);
    planned = await runTerraformPlan(terraform, settings, files);
  } catch (error) {
    if (error instanceof TerraformError) {
      await reportTerraformFailure(error, settings, context, report, true);
    } else if (error instanceof PlanFormatError) {
      // e.g. a plan JSON format this release does not read: say so where reviewers look.
      core.error(error.message, { title: `cannot read the plan of stack ${settings.stack}` });
      const lead = 'The plan was made, but this action cannot read it:';
      await writeSummary(renderPlanFailure(report, error.message, 'summary', undefined, lead));
      await publishComment(
        settings,
        context,
        renderPlanFailure(report, error.message, 'comment', undefined, lead),
      );
    }
    throw error;
  }

  const { plan, result } = planned;
  const digest = planDigest(plan, settings.digestKey);
  setPlanOutputs(plan, result.hasChanges, digest);
  const risks = assessPlan(plan, settings.riskRules);
  core.setOutput('risks', risksOutput(risks));
  const withDigest = { ...report, digest, digestKeyId: digestKeyId(settings.digestKey), risks };
  await writeSummary(renderPlanSummary(plan, withDigest));
  const url = await publishComment(settings, context, renderPlanComment(plan, withDigest));
  if (url) core.setOutput('comment-url', url);
  core.info(`plan-digest ${digest}`);
}
