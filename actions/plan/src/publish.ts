/** Job summary, pull request comment and log output, each secret-safe. */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import {
  CommentAuthorError,
  createGitHubClient,
  describeGitHubError,
  isReadOnlyTokenError,
  upsertPlanComment,
  type GitHubClient,
} from '../../shared/src/github/index.js';
import { maskableSecrets, parsePlan, type PlanModel } from '../../shared/src/plan/index.js';
import type { RunContext } from '../../shared/src/github/run-context.js';
import type { Settings } from './settings.js';

/** Registers every sensitive value of the plan with the runner's log masking. */
export function maskSecrets(plan: PlanModel): void {
  for (const secret of maskableSecrets(plan.sensitiveStrings)) core.setSecret(secret);
}

/** Reads the plan JSON and masks its secrets before anything else can print them. */
export function readPlanFile(path: string): PlanModel {
  const plan = parsePlan(readFileSync(path, 'utf8'));
  maskSecrets(plan);
  return plan;
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    core.info('GITHUB_STEP_SUMMARY is not set: no job summary written.');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}

export function gitHubClient(settings: Settings): GitHubClient {
  return createGitHubClient({
    token: settings.githubToken,
    warn: (message) => core.warning(message),
  });
}

export function readOnlyWarning(context: RunContext, what: string): string {
  const why = context.fromFork
    ? 'a pull request from a fork gets a read-only GITHUB_TOKEN'
    : 'give the job the permission to write it (pull-requests: write, issues: write)';
  return `No ${what} was posted: the token cannot write to this repository (${why}). The report is in the job summary.`;
}

/** Posts or updates the sticky comment; returns its URL, or undefined when none was posted. */
export async function publishComment(
  settings: Settings,
  context: RunContext,
  body: string,
): Promise<string | undefined> {
  if (!settings.comment) {
    core.info('comment is false: no pull request comment.');
    return undefined;
  }
  if (context.pullNumber === undefined) {
    core.info(
      `This run is for a ${context.eventName || 'non-pull-request'} event, not a pull request: no comment; the report is in the job summary.`,
    );
    return undefined;
  }
  try {
    const result = await upsertPlanComment(
      gitHubClient(settings),
      { owner: context.owner, repo: context.repo, issueNumber: context.pullNumber },
      { stack: settings.stack, author: settings.commentAuthor },
      body,
    );
    const removed =
      result.removedDuplicates > 0 ? `, ${result.removedDuplicates} duplicate(s) removed` : '';
    core.info(`Plan comment ${result.action}: ${result.url}${removed}`);
    return result.url;
  } catch (error) {
    if (error instanceof CommentAuthorError) throw error;
    if (isReadOnlyTokenError(error)) {
      core.warning(readOnlyWarning(context, `plan comment on pull request #${context.pullNumber}`));
      return undefined;
    }
    throw new Error(
      `Could not post the plan comment on pull request #${context.pullNumber}: ${describeGitHubError(error)}`,
      { cause: error },
    );
  }
}
