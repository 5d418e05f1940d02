/**
 * mode: drift — a refresh-only plan (changed outside Terraform) and a normal plan (in the code,
 * not applied), reported in one issue per stack.
 */
import * as core from '@actions/core';
import {
  describeDriftChange,
  findDrift,
  planDigest,
  renderDriftIssue,
  renderDriftSummary,
  type PlanModel,
} from '../../shared/src/plan/index.js';
import { assessChanges, riskCounts, risksOutput } from '../../shared/src/risk/index.js';
import {
  CommentAuthorError,
  describeGitHubError,
  isReadOnlyTokenError,
  syncDriftIssue,
} from '../../shared/src/github/index.js';
import { TerraformError, type PlanResult } from '../../shared/src/terraform/index.js';
import { createPlanFolder, planFiles } from './plan-files.js';
import {
  createTerraform,
  initTerraform,
  reportContext,
  reportTerraformFailure,
  runTerraformPlan,
  setPlanOutputs,
} from './plan-mode.js';
import { gitHubClient, readOnlyWarning, writeSummary } from './publish.js';
import type { RunContext } from '../../shared/src/github/run-context.js';
import type { Settings } from './settings.js';

function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export async function runDriftMode(
  settings: Settings,
  context: RunContext,
  now = new Date(),
): Promise<void> {
  const terraform = createTerraform(settings);
  const version = await terraform.version();
  const folder = createPlanFolder(settings.stack);
  const refreshFiles = planFiles(folder, 'refresh-only');
  const normalFiles = planFiles(folder, 'plan');
  core.setOutput('plan-path', normalFiles.planPath);
  core.setOutput('plan-json-path', normalFiles.jsonPath);
  const report = reportContext(settings, context, version);

  let refresh: PlanModel;
  let normal: { result: PlanResult; plan: PlanModel };
  try {
    await initTerraform(terraform, settings);
    refresh = (await runTerraformPlan(terraform, settings, refreshFiles, true)).plan;
    normal = await runTerraformPlan(terraform, settings, normalFiles);
  } catch (error) {
    // A failed check says nothing about drift: the issue is left as it is.
    if (error instanceof TerraformError)
      await reportTerraformFailure(error, settings, context, report, false);
    throw error;
  }

  const findings = findDrift(refresh, normal.plan, settings.driftIgnoreAttributes);
  if (findings.ignoredAttributes.length > 0) {
    core.info(
      `Not counted as drift (owned elsewhere at run time, input drift-ignore-attributes): ${findings.ignoredAttributes.join(', ')}.`,
    );
  }
  setPlanOutputs(
    normal.plan,
    normal.result.hasChanges,
    planDigest(normal.plan, settings.digestKey),
  );
  core.setOutput('drift', String(findings.hasDrift));
  // The risks of what changed outside Terraform (the code not applied is a plan's risk).
  const risks = assessChanges(findings.drifted, settings.riskRules);
  core.setOutput('risks', risksOutput(risks, 'drift'));
  // Said in the clean report, so nobody takes a moved weight for a missed drift.
  const clean =
    findings.ignoredAttributes.length > 0
      ? `nothing changed outside Terraform but attributes owned elsewhere (${findings.ignoredAttributes.join(', ')}), and nothing in the code is left to apply`
      : 'nothing changed outside Terraform and nothing in the code is left to apply';
  const run = context.runId && context.runUrl ? ` ([run ${context.runId}](${context.runUrl}))` : '';
  const driftReport = { ...report, risks, foundAt: now };
  const body = renderDriftIssue(findings, refresh, normal.plan, driftReport);
  await writeSummary(
    findings.hasDrift
      ? renderDriftSummary(findings, refresh, normal.plan, driftReport)
      : `### No drift in stack \`${settings.stack}\`\n\nChecked on ${formatUtc(now)}${run}: ${clean}.\n`,
  );
  core.info(
    findings.hasDrift
      ? `Drift in ${settings.stack}: ${findings.drifted.length} resource(s) changed outside Terraform, ${findings.pending.length + findings.outputsPending} change(s) in the code not applied.`
      : `No drift in ${settings.stack}.`,
  );
  if (findings.drifted.length > 0) core.info(`Risks of this drift: ${riskCounts(risks)}.`);

  if (!settings.comment) {
    core.info('comment is false: the drift issue is left as it is.');
    return;
  }
  try {
    const result = await syncDriftIssue(
      gitHubClient(settings),
      { owner: context.owner, repo: context.repo },
      {
        stack: settings.stack,
        hasDrift: findings.hasDrift,
        body,
        fingerprint: findings.fingerprint,
        changeComment: (previous) =>
          `${describeDriftChange(previous, findings)}${run ? ` Found${run}.` : ''}`,
        reopenComment: `Drift found again on ${formatUtc(now)}${run}; the report above is current.`,
        cleanComment: `Found clean on ${formatUtc(now)}${run}: ${clean}. Closing.`,
      },
      settings.commentAuthor,
    );
    if (result.issue) {
      core.setOutput('drift-issue-number', String(result.issue.number));
      core.info(`Drift issue #${result.issue.number}: ${result.action} (${result.issue.url})`);
    }
  } catch (error) {
    if (error instanceof CommentAuthorError) throw error;
    if (isReadOnlyTokenError(error)) {
      core.warning(readOnlyWarning(context, 'drift issue'));
      return;
    }
    throw new Error(
      `Could not update the drift issue of stack ${settings.stack}: ${describeGitHubError(error)}`,
      { cause: error },
    );
  }
}
