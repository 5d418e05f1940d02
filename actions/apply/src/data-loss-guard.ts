/**
 * The data-loss guard: a plan whose changes are in the data-loss risk class (the built-in
 * catalogue plus `risk-rules`) is applied only when the merged pull request carried the
 * `data-loss-label` label at the moment it was merged. The moment matters: a label added after
 * the merge (by anyone with triage access, at any later time) must not turn a refused apply
 * into an allowed re-run, and one removed before the merge does not count. The label's history
 * is read from the pull request's issue events (`labeled` / `unlabeled`, with `created_at`) up
 * to `merged_at`: https://docs.github.com/rest/issues/events#list-issue-events. A pull request
 * not merged yet (an apply run on the pull request itself) counts with the labels it has now.
 */
import * as core from '@actions/core';
import { describeGitHubError, type GitHubClient } from '../../shared/src/github/github-client.js';
import { code } from '../../shared/src/plan/markdown.js';
import type { PlanModel } from '../../shared/src/plan/plan-model.js';
import {
  assessPlan,
  DATA_LOSS,
  findingsOf,
  type RiskFinding,
} from '../../shared/src/risk/index.js';
import { describeFinding } from '../../shared/src/risk/risk-report.js';
import type { ApplyResult } from './apply-result.js';
import type { RepoRef } from './approved-plan.js';
import type { ApplySettings } from './settings.js';

/** What the label check found on the pull request the change came from. */
export interface LabelDecision {
  allowed: boolean;
  /** "pull request #12 carried `allow-data-loss` when it was merged", or why not. */
  why: string;
}

/** Asks GitHub whether the label was there; undefined pull: no pull request to ask. */
export type LabelCheck = () => Promise<LabelDecision>;

function sameLabel(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

/** Whether pull request `pullNumber` carried `label` when it was merged (now, if not merged). */
export async function labelAtMerge(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
  label: string,
): Promise<LabelDecision> {
  const { data: pull } = await client.rest.pulls.get({ ...repo, pull_number: pullNumber });
  const name = code(label);
  if (!pull.merged_at) {
    const carried = pull.labels.some((carriedLabel) => sameLabel(carriedLabel.name, label));
    return {
      allowed: carried,
      why: `pull request #${pullNumber} (not merged) ${carried ? 'carries' : 'does not carry'} the label ${name}`,
    };
  }
  const mergedAt = Date.parse(pull.merged_at);
  const events = await client.paginate(client.rest.issues.listEvents, {
    ...repo,
    issue_number: pullNumber,
    per_page: 100,
  });
  let carried = false;
  let lateAdd = false;
  for (const event of events) {
    const labelName = 'label' in event ? event.label?.name : undefined;
    if (!sameLabel(labelName, label)) continue;
    if (Date.parse(event.created_at) > mergedAt) {
      if (event.event === 'labeled') lateAdd = true;
      continue;
    }
    if (event.event === 'labeled') carried = true;
    if (event.event === 'unlabeled') carried = false;
  }
  const late = !carried && lateAdd ? ' (it was added after the merge, which does not count)' : '';
  return {
    allowed: carried,
    why: `pull request #${pullNumber} ${carried ? 'carried' : 'did not carry'} the label ${name} when it was merged (${pull.merged_at})${late}`,
  };
}

/** The check for this run: the approving pull request, or a refusal when there is none. */
export function labelCheckFor(
  client: GitHubClient | undefined,
  repo: RepoRef,
  pullNumber: number | undefined,
  label: string,
): LabelCheck {
  return async () => {
    if (!client || pullNumber === undefined)
      return {
        allowed: false,
        why: `no pull request was found for this commit${client ? '' : ' (github-token is empty)'}, so no label ${code(label)} can allow it`,
      };
    try {
      return await labelAtMerge(client, repo, pullNumber, label);
    } catch (error) {
      return {
        allowed: false,
        why: `the labels of pull request #${pullNumber} could not be read (${describeGitHubError(error)})`,
      };
    }
  };
}

const LISTED_IN_STATUS = 5;

function statusAddresses(findings: readonly RiskFinding[]): string {
  const shown = findings.slice(0, LISTED_IN_STATUS).map((finding) => code(finding.address));
  const more = findings.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function refusal(
  settings: ApplySettings,
  digest: string,
  findings: readonly RiskFinding[],
  decision: LabelDecision,
): ApplyResult {
  const label = settings.dataLossLabel;
  const plain = findings.map((finding) => describeFinding(finding, false)).join('; ');
  const list = findings.map((finding) => `- ${describeFinding(finding, true)}`).join('\n');
  const howTo = `To apply it, open a pull request whose plan comment shows this plan (an empty commit is enough), add the label '${label}', and merge it.`;
  return {
    applied: false,
    failureReason: 'data-loss-not-allowed',
    digest,
    message: `The plan for stack '${settings.stack}' can lose data (${findings.length} resource${findings.length === 1 ? '' : 's'}: ${plain}), and ${decision.why.replace(/`/g, "'")}. Nothing was applied. ${howTo}`,
    details: `The plan can lose data, and ${decision.why}. Nothing was applied; the label ${code(label)} on the pull request when it is merged (\`data-loss-label\`) would allow it.\n\n**Data loss** (${findings.length})\n\n${list}\n\n${howTo.replace(`'${label}'`, code(label))}`,
    reason: `data loss needs the label ${code(label)} on the pull request when it is merged`,
    reasonDetail: statusAddresses(findings),
  };
}

/** undefined when the plan may be applied; else the refusal (nothing has been applied). */
export async function guardDataLoss(
  settings: ApplySettings,
  plan: PlanModel,
  digest: string,
  check: LabelCheck,
): Promise<ApplyResult | undefined> {
  const findings = findingsOf(assessPlan(plan, settings.riskRules), DATA_LOSS);
  if (findings.length === 0) return undefined;
  const decision = await check();
  if (!decision.allowed) return refusal(settings, digest, findings, decision);
  core.notice(
    `The plan for stack '${settings.stack}' can lose data (${findings.map((finding) => finding.address).join(', ')}); allowed: ${decision.why.replace(/`/g, "'")}.`,
  );
  return undefined;
}
