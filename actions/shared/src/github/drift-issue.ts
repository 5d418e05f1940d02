/**
 * One drift issue per stack, found by the hidden marker that opens its body (titles get
 * edited) and written by the identity the action posts as (`comment-author`), labelled `drift`,
 * reused for its whole life: opened, updated, reopened, closed. An issue anyone else wrote with
 * the marker is never adopted, edited or closed (docs/adr/0005-drift-issues.md).
 */
import { isDriftIssueOf, parseDriftMeta, type DriftMeta } from '../plan/drift-report.js';
import { driftMarker } from '../plan/plan-comment.js';
import { checkWrittenBy, isWrittenBy } from './comment-author.js';
import type { GitHubClient } from './github-client.js';

export const DRIFT_LABEL = 'drift';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface DriftIssue {
  number: number;
  state: 'open' | 'closed';
  body: string;
  url: string;
  labels: string[];
}

function toDriftIssue(issue: {
  number: number;
  state: string;
  body?: string | null;
  html_url: string;
  labels: (string | { name?: string })[];
}): DriftIssue {
  return {
    number: issue.number,
    state: issue.state === 'closed' ? 'closed' : 'open',
    body: issue.body ?? '',
    url: issue.html_url,
    labels: issue.labels.map((label) => (typeof label === 'string' ? label : (label.name ?? ''))),
  };
}

async function listIssues(client: GitHubClient, repo: RepoRef, labels?: string) {
  return client.paginate(client.rest.issues.listForRepo, {
    owner: repo.owner,
    repo: repo.repo,
    state: 'all',
    per_page: 100,
    ...(labels ? { labels } : {}),
  });
}

/**
 * Every issue of `stack` that `author` wrote, lowest number first. Issues labelled `drift` are
 * searched first; when none matches (someone removed the label), every issue is, so a second
 * issue is never opened.
 */
export async function findDriftIssues(
  client: GitHubClient,
  repo: RepoRef,
  stack: string,
  author: string,
): Promise<DriftIssue[]> {
  const pick = (issues: Awaited<ReturnType<typeof listIssues>>) =>
    issues
      .filter(
        (issue) =>
          !issue.pull_request && isWrittenBy(issue, author) && isDriftIssueOf(issue.body, stack),
      )
      .map(toDriftIssue)
      .sort((a, b) => a.number - b.number);
  const labelled = pick(await listIssues(client, repo, DRIFT_LABEL));
  if (labelled.length > 0) return labelled;
  return pick(await listIssues(client, repo));
}

async function ensureLabel(client: GitHubClient, repo: RepoRef): Promise<void> {
  try {
    await client.rest.issues.getLabel({ owner: repo.owner, repo: repo.repo, name: DRIFT_LABEL });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    try {
      await client.rest.issues.createLabel({
        owner: repo.owner,
        repo: repo.repo,
        name: DRIFT_LABEL,
        color: 'd93f0b',
        description: 'Infrastructure differs from the Terraform code',
      });
    } catch (createError) {
      // 422: created meanwhile by a run for another stack.
      if ((createError as { status?: number }).status !== 422) throw createError;
    }
  }
}

export interface DriftReport {
  stack: string;
  hasDrift: boolean;
  /** The issue body (with markers) when there is drift. */
  body: string;
  fingerprint: string;
  /** Comment for a changed drift ("Drift changed: 1 more resource ..."), from the last report's meta. */
  changeComment: (previous: DriftMeta | undefined) => string;
  /** Comment when drift is found again on a closed issue. */
  reopenComment: string;
  /** Comment when the stack is found clean. */
  cleanComment: string;
}

export interface DriftSyncResult {
  action: 'opened' | 'updated' | 'commented' | 'reopened' | 'closed' | 'none';
  issue?: DriftIssue;
}

/**
 * Closes issues of the same stack beyond the one kept (left by a race or by hand), and takes
 * the marker out of their bodies: a closed duplicate that still carried it could be picked up
 * again later (e.g. once someone removes the label of the kept issue) and reopened beside it.
 */
async function closeDuplicates(
  client: GitHubClient,
  repo: RepoRef,
  stack: string,
  keep: DriftIssue,
  others: DriftIssue[],
) {
  for (const other of others) {
    if (other.number === keep.number) continue;
    if (other.state === 'open') {
      await client.rest.issues.createComment({
        owner: repo.owner,
        repo: repo.repo,
        issue_number: other.number,
        body: `Duplicate of #${keep.number}, which tracks drift of this stack.`,
      });
    }
    await client.rest.issues.update({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: other.number,
      body: other.body
        .trimStart()
        .replace(
          driftMarker(stack),
          `<!-- multicloud:drift-duplicate stack=${stack} of=${keep.number} -->`,
        ),
      ...(other.state === 'open'
        ? { state: 'closed' as const, state_reason: 'not_planned' as const }
        : {}),
    });
  }
}

/**
 * Applies issue 5's rules: open, update (+comment on change), reopen, close, or nothing, on the
 * issue `author` (the login our token posts as) wrote.
 */
export async function syncDriftIssue(
  client: GitHubClient,
  repo: RepoRef,
  report: DriftReport,
  author: string,
): Promise<DriftSyncResult> {
  const issues = await findDriftIssues(client, repo, report.stack, author);
  const keep = issues.find((issue) => issue.state === 'open') ?? issues[0];
  if (keep) await closeDuplicates(client, repo, report.stack, keep, issues);

  if (!report.hasDrift) {
    if (!keep || keep.state === 'closed')
      return keep ? { action: 'none', issue: keep } : { action: 'none' };
    await client.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: keep.number,
      body: report.cleanComment,
    });
    await client.rest.issues.update({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: keep.number,
      state: 'closed',
      state_reason: 'completed',
    });
    return { action: 'closed', issue: { ...keep, state: 'closed' } };
  }

  await ensureLabel(client, repo);
  if (!keep) {
    const { data } = await client.rest.issues.create({
      owner: repo.owner,
      repo: repo.repo,
      title: `Drift: stack ${report.stack}`,
      body: report.body,
      labels: [DRIFT_LABEL],
    });
    // Opened as someone else: a wrong comment-author would open one more issue every run.
    checkWrittenBy(data, author, `drift issue #${data.number} of stack ${report.stack}`);
    const created = toDriftIssue(data);
    // A run for the same stack may have opened one meanwhile: keep the lowest number.
    const after = await findDriftIssues(client, repo, report.stack, author);
    const lowest = after[0] ?? created;
    if (lowest.number !== created.number) {
      await closeDuplicates(client, repo, report.stack, lowest, after);
      return { action: 'updated', issue: lowest };
    }
    return { action: 'opened', issue: created };
  }

  const previous = parseDriftMeta(keep.body);
  const reopening = keep.state === 'closed';
  const { data } = await client.rest.issues.update({
    owner: repo.owner,
    repo: repo.repo,
    issue_number: keep.number,
    body: report.body,
    ...(reopening ? { state: 'open' as const } : {}),
  });
  if (!keep.labels.includes(DRIFT_LABEL)) {
    await client.rest.issues.addLabels({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: keep.number,
      labels: [DRIFT_LABEL],
    });
  }
  const issue = toDriftIssue(data);
  if (reopening) {
    await client.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: keep.number,
      body: report.reopenComment,
    });
    return { action: 'reopened', issue };
  }
  if (previous?.fingerprint !== report.fingerprint) {
    await client.rest.issues.createComment({
      owner: repo.owner,
      repo: repo.repo,
      issue_number: keep.number,
      body: report.changeComment(previous),
    });
    return { action: 'commented', issue };
  }
  return { action: 'updated', issue };
}
