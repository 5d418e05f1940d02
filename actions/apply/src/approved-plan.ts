/**
 * Which plan was approved: the `expected-plan-digest` input, or else (on a push) the digest in
 * this stack's sticky plan comment on the pull request that the pushed commit belongs to.
 * See docs/adr/0004-verified-apply.md.
 */
import type { GitHubClient } from '../../shared/src/github/github-client.js';
import { findPlanComment, type FoundComment } from '../../shared/src/github/sticky-comment.js';
import { parsePlanComment } from '../../shared/src/plan/plan-comment.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestRef {
  number: number;
  state: string;
  merged: boolean;
  mergeCommitSha: string | null;
}

export interface CommentApproval {
  source: 'comment';
  digest: string;
  pullNumber: number;
  comment: FoundComment;
  /** The commit the reviewed plan was made for, when the comment says. */
  plannedCommit?: string;
}

export type ApprovedPlan = { source: 'input'; digest: string } | CommentApproval;

/**
 * The pull requests of a commit, the one that most likely brought it to the branch first:
 * the merged PR whose merge commit is `sha`, then other merged PRs, then open ones, newest
 * first within each group. GitHub lists PRs whose head is the commit too (rebase merges, PRs
 * still open with the same commit), hence the order.
 */
export async function pullRequestsOfCommit(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
): Promise<PullRequestRef[]> {
  const pulls = await client.paginate(client.rest.repos.listPullRequestsAssociatedWithCommit, {
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: sha,
    per_page: 100,
  });
  const rank = (pull: PullRequestRef) =>
    pull.merged && pull.mergeCommitSha?.toLowerCase() === sha.toLowerCase()
      ? 0
      : pull.merged
        ? 1
        : pull.state === 'open'
          ? 2
          : 3;
  return pulls
    .map((pull) => ({
      number: pull.number,
      state: pull.state,
      merged: pull.merged_at !== null && pull.merged_at !== undefined,
      mergeCommitSha: pull.merge_commit_sha ?? null,
    }))
    .sort((a, b) => rank(a) - rank(b) || b.number - a.number);
}

/**
 * Looks for the approved digest in `stack`'s comment on each pull request in order; the first
 * comment that shows a digest wins. A comment of a failed plan shows none.
 */
export async function findApprovedPlanInComments(
  client: GitHubClient,
  repo: RepoRef,
  pulls: readonly PullRequestRef[],
  stack: string,
): Promise<CommentApproval | undefined> {
  for (const pull of pulls) {
    const comment = await findPlanComment(
      client,
      { owner: repo.owner, repo: repo.repo, issueNumber: pull.number },
      stack,
    );
    if (!comment) continue;
    const info = parsePlanComment(comment.body);
    if (!info.digest) continue;
    const approved: CommentApproval = {
      source: 'comment',
      digest: info.digest,
      pullNumber: pull.number,
      comment,
    };
    if (info.commit) approved.plannedCommit = info.commit;
    return approved;
  }
  return undefined;
}

export function describeSearch(
  stack: string,
  sha: string,
  pulls: readonly PullRequestRef[],
): string {
  const short = sha.slice(0, 7);
  if (pulls.length === 0) {
    return `commit ${short} belongs to no pull request, so there is no reviewed plan comment for stack '${stack}'`;
  }
  const list = pulls.map((pull) => `#${pull.number}`).join(', ');
  return `no plan comment with a plan-digest for stack '${stack}' on pull request ${list} (searched for commit ${short})`;
}
