/**
 * The apply action: find the approved plan-digest, apply only that plan, and report the result
 * in the outputs, the job summary and the status line of the pull request's plan comment.
 */
import * as core from '@actions/core';
import {
  createGitHubClient,
  describeGitHubError,
  isReadOnlyTokenError,
  type GitHubClient,
} from '../../shared/src/github/github-client.js';
import { updatePlanCommentStatus } from '../../shared/src/github/sticky-comment.js';
import { InputError } from '../../shared/src/inputs/input-error.js';
import { code } from '../../shared/src/plan/markdown.js';
import { appliedStatus, notAppliedStatus } from '../../shared/src/plan/plan-comment.js';
import { NO_DIGEST_KEY_WARNING } from '../../shared/src/plan/digest-key.js';
import { digestKeyId } from '../../shared/src/plan/plan-digest.js';
import {
  describeSearch,
  findApprovedPlanInComments,
  pullRequestsOfCommit,
  type ApprovedPlan,
  type PullRequestRef,
} from './approved-plan.js';
import { readRunContext, type RunContext } from '../../shared/src/github/run-context.js';
import { parseSettings, type ApplySettings } from './settings.js';
import type { ApplyResult } from './apply-result.js';
import { labelCheckFor } from './data-loss-guard.js';
import { verifiedApply } from './verified-apply.js';

interface Approval {
  approved?: ApprovedPlan;
  /** Pull requests whose comment gets the status line (the approving one first). */
  pullNumbers: number[];
  searched?: string;
}

async function pullRequestsToSearch(
  client: GitHubClient,
  run: RunContext,
): Promise<PullRequestRef[]> {
  if (run.pullNumber !== undefined) {
    const headSha = run.commitSha ?? run.sha;
    return [
      { number: run.pullNumber, state: 'open', merged: false, mergeCommitSha: null, headSha },
    ];
  }
  return pullRequestsOfCommit(client, run, run.sha);
}

async function findApproval(
  settings: ApplySettings,
  run: RunContext,
  client: GitHubClient | undefined,
): Promise<Approval> {
  if (settings.expectedPlanDigest) {
    let pullNumbers: number[] = [];
    if (client) {
      // Only to know where to post the result; a failure here must not stop the apply.
      try {
        pullNumbers = (await pullRequestsToSearch(client, run)).slice(0, 1).map((p) => p.number);
      } catch (error) {
        core.warning(
          `Could not find the pull request of commit ${run.sha.slice(0, 7)} to post the result: ${describeGitHubError(error)}`,
        );
      }
    }
    return { approved: { source: 'input', digest: settings.expectedPlanDigest }, pullNumbers };
  }
  if (!client) {
    return {
      pullNumbers: [],
      searched:
        'no expected-plan-digest was given and github-token is empty, so the pull request comment could not be read',
    };
  }
  const pulls = await pullRequestsToSearch(client, run);
  const { approved, refused } = await findApprovedPlanInComments(
    client,
    run,
    pulls,
    { stack: settings.stack, author: settings.commentAuthor },
    digestKeyId(settings.digestKey),
  );
  if (approved) {
    core.info(
      `Approved plan: the plan-digest in the '${settings.stack}' plan comment on pull request #${approved.pullNumber} (${approved.comment.url}).`,
    );
    return { approved, pullNumbers: [approved.pullNumber] };
  }
  return {
    pullNumbers: pulls.slice(0, 1).map((pull) => pull.number),
    searched: describeSearch(settings.stack, run.sha, pulls, refused),
  };
}

function statusText(result: ApplyResult, run: RunContext): string {
  const short = run.sha.slice(0, 7);
  const runId = run.runId ?? 'unknown';
  if (result.applied) return appliedStatus(run.sha, runId);
  if (result.verified)
    return `Verified at ${short} in run ${runId}: the reviewed plan; applying it next`;
  if (!result.failureReason) return `No changes to apply at ${short} (run ${runId})`;
  if (result.failureReason === 'apply-failed')
    return `Apply failed at ${short} in run ${runId}: ${result.reason}; see the run log`;
  const detail = result.reasonDetail ? `${result.reasonDetail}, ` : '';
  return notAppliedStatus(`${result.reason} (${detail}see run ${runId})`);
}

async function postStatus(
  client: GitHubClient | undefined,
  run: RunContext,
  settings: ApplySettings,
  pullNumbers: number[],
  text: string,
): Promise<void> {
  if (!client) return;
  for (const issueNumber of pullNumbers) {
    try {
      const updated = await updatePlanCommentStatus(
        client,
        { owner: run.owner, repo: run.repo, issueNumber },
        { stack: settings.stack, author: settings.commentAuthor },
        text,
      );
      if (updated) core.info(`Status posted to ${updated.url}`);
      else
        core.info(
          `Pull request #${issueNumber} has no plan comment for stack '${settings.stack}' by ${settings.commentAuthor}: status not posted.`,
        );
    } catch (error) {
      const why = isReadOnlyTokenError(error)
        ? 'the token cannot write to this repository (read-only token)'
        : describeGitHubError(error);
      core.warning(`Could not post the result to pull request #${issueNumber}: ${why}`);
    }
  }
}

function headline(settings: ApplySettings, result: ApplyResult): string {
  const what = result.applied
    ? 'applied'
    : result.verified
      ? 'verified, not applied yet (verify-only)'
      : result.failureReason
        ? `not applied (${result.failureReason})`
        : 'no changes, nothing applied';
  return `### Terraform apply for ${code(settings.stack)}: ${what}`;
}

function outputsMarkdown(result: ApplyResult): string {
  const selected = result.outputs;
  if (!selected) return '';
  const names = Object.keys(selected.outputs);
  if (names.length === 0 && selected.omitted.length === 0) return '';
  const rows = names.map(
    (name) =>
      `| ${code(name, true)} | ${selected.outputs[name]?.sensitive ? 'included, masked (include-sensitive-outputs)' : 'in outputs-json'} |`,
  );
  for (const name of selected.omitted) rows.push(`| ${code(name, true)} | sensitive, left out |`);
  return `\n\n**Outputs** (\`outputs-json\`)\n\n| output | |\n|---|---|\n${rows.join('\n')}`;
}

async function writeSummary(
  settings: ApplySettings,
  run: RunContext,
  approval: Approval,
  result: ApplyResult,
  status: string,
): Promise<void> {
  const source = !approval.approved
    ? 'none found'
    : approval.approved.source === 'input'
      ? '`expected-plan-digest` input'
      : `[plan comment](${approval.approved.comment.url}) on pull request #${approval.approved.pullNumber}`;
  const body = [
    headline(settings, result),
    '',
    `**${status}**`,
    '',
    `Commit \`${run.sha.slice(0, 7)}\` · approved plan from: ${source}${result.digest ? ` · plan-digest \`${result.digest}\`` : ''}`,
    '',
    result.details,
    outputsMarkdown(result),
    '',
  ].join('\n');
  try {
    await core.summary.addRaw(body).write();
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function setOutputs(result: ApplyResult): void {
  core.setOutput('applied', result.applied ? 'true' : 'false');
  core.setOutput('verified', result.failureReason ? 'false' : 'true');
  core.setOutput('failure-reason', result.failureReason ?? '');
  core.setOutput('plan-digest', result.digest ?? '');
  core.setOutput('outputs-json', JSON.stringify(result.outputs?.outputs ?? {}));
}

export async function run(): Promise<void> {
  try {
    const settings = parseSettings();
    if (settings.digestKey) core.setSecret(settings.digestKey.secret.toString('utf8'));
    else core.warning(NO_DIGEST_KEY_WARNING);
    const run = readRunContext();
    const client = settings.githubToken
      ? createGitHubClient({
          token: settings.githubToken,
          warn: (message) => core.warning(message),
        })
      : undefined;

    const approval = await findApproval(settings, run, client);
    let result: ApplyResult;
    if (!approval.approved) {
      result = {
        applied: false,
        failureReason: 'no-approved-plan',
        message: `No approved plan for stack '${settings.stack}': ${approval.searched}. Nothing was applied. Merge the change through a pull request whose plan comment shows this stack's plan, or pass expected-plan-digest.`,
        details: `No approved plan: ${approval.searched}. Nothing was planned or applied.`,
        reason: 'no approved plan was found',
      };
    } else {
      const check = labelCheckFor(client, run, approval.pullNumbers[0], settings.dataLossLabel);
      result = await verifiedApply(settings, approval.approved, check);
    }

    const status = statusText(result, run);
    setOutputs(result);
    await writeSummary(settings, run, approval, result, status);
    // verify-only: a refusal is the last word and is posted; a pass is not (the apply step posts).
    if (!result.verified) await postStatus(client, run, settings, approval.pullNumbers, status);

    if (result.errorText) {
      core.error(result.errorText, { title: `terraform failed for stack ${settings.stack}` });
    }
    if (result.failureReason) core.setFailed(result.message);
    else core.info(result.message);
  } catch (error) {
    if (error instanceof InputError) {
      core.setFailed(error.message);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(`The apply action stopped: ${message}`);
  }
}
