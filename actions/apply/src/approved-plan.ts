/**
 * Which plan was approved: the `expected-plan-digest` input, or else (on a push) the digest in
 * this stack's sticky plan comment on the pull request that the pushed commit belongs to. Only
 * a comment the action's own identity (`comment-author`) wrote counts, and only for the commit
 * that was merged: its `commit=` must be the pull request's head when it was merged.
 * See docs/adr/0004-verified-apply.md.
 */
import type { GitHubClient } from '../../shared/src/github/github-client.js';
import {
  findMarkerComments,
  type FoundComment,
  type PlanCommentKey,
} from '../../shared/src/github/sticky-comment.js';
import { parsePlanComment, type PlanCommentInfo } from '../../shared/src/plan/plan-comment.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestRef {
  number: number;
  state: string;
  merged: boolean;
  mergeCommitSha: string | null;
  /** The pull request's head commit (for a merged one: the head that was merged). */
  headSha: string;
}

export interface CommentApproval {
  source: 'comment';
  digest: string;
  pullNumber: number;
  comment: FoundComment;
  /** The commit the reviewed plan was made for: the pull request's head. */
  plannedCommit: string;
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
      headSha: pull.head.sha,
    }))
    .sort((a, b) => rank(a) - rank(b) || b.number - a.number);
}

/** What the search found: the approval, or why each comment seen was not one. */
export interface CommentSearch {
  approved?: CommentApproval;
  /** One sentence a pull request whose comments gave no approval, for the refusal. */
  refused: string[];
}

const short = (sha: string) => sha.slice(0, 7);

const keyWords = (id: string) => (id === 'none' ? 'without a digest-key' : `with digest-key ${id}`);

/**
 * Why our comment on `pull`, read as `info`, is not an approval, or undefined when it is one.
 * `keyId`: the public id of this run's digest-key ('none' without one); a digest made under
 * another key can never match, so it is refused here with the reason rather than later as a
 * changed plan.
 */
function refusalOf(
  info: PlanCommentInfo,
  pull: PullRequestRef,
  stack: string,
  keyId: string,
): string | undefined {
  if (!info.digest)
    return `its plan comment for stack '${stack}' shows no plan-digest (the plan failed or had none)`;
  if (!info.commit)
    return `its plan comment for stack '${stack}' does not say which commit it planned (written by an older plan action): plan the pull request again`;
  if (info.commit.toLowerCase() !== pull.headSha.toLowerCase())
    return `its plan comment for stack '${stack}' is the plan of commit ${short(info.commit)}, but the pull request's head was ${short(pull.headSha)} when it was merged: the last push was not planned (or its plan did not finish)`;
  if (info.digestKeyId === undefined)
    return `its plan comment for stack '${stack}' carries a plan-digest of an older form (before digest-key, ADR 3): plan the pull request again`;
  if (info.digestKeyId !== keyId)
    return `its plan-digest for stack '${stack}' was made ${keyWords(info.digestKeyId)}, but this run has ${keyWords(keyId)}: give the plan and apply steps the same digest-key secret`;
  return undefined;
}

function othersIgnored(others: FoundComment[], author: string): string {
  if (others.length === 0) return '';
  const who = [...new Set(others.map((comment) => comment.author || 'unknown'))].join(', ');
  return `; ${others.length} marker ${others.length === 1 ? 'comment' : 'comments'} by ${who} ignored (only comments by ${author}, the comment-author, count)`;
}

/**
 * Looks for the approved digest in our comment of `key.stack` on each pull request in order;
 * the first comment of ours that shows a digest for the pull request's head wins. Comments
 * anyone else wrote are never read as approval.
 */
export async function findApprovedPlanInComments(
  client: GitHubClient,
  repo: RepoRef,
  pulls: readonly PullRequestRef[],
  key: PlanCommentKey,
  digestKeyId: string,
): Promise<CommentSearch> {
  const refused: string[] = [];
  for (const pull of pulls) {
    const { ours, others } = await findMarkerComments(
      client,
      { owner: repo.owner, repo: repo.repo, issueNumber: pull.number },
      key,
    );
    const ignored = othersIgnored(others, key.author);
    const comment = ours[0];
    if (!comment) {
      refused.push(
        `#${pull.number}: no plan comment for stack '${key.stack}' by ${key.author}${ignored}`,
      );
      continue;
    }
    const info = parsePlanComment(comment.body);
    const refusal = refusalOf(info, pull, key.stack, digestKeyId);
    if (refusal) {
      refused.push(`#${pull.number}: ${refusal}${ignored}`);
      continue;
    }
    return {
      approved: {
        source: 'comment',
        digest: info.digest as string,
        pullNumber: pull.number,
        comment,
        plannedCommit: info.commit as string,
      },
      refused,
    };
  }
  return { refused };
}

export function describeSearch(
  stack: string,
  sha: string,
  pulls: readonly PullRequestRef[],
  refused: readonly string[],
): string {
  if (pulls.length === 0) {
    return `commit ${short(sha)} belongs to no pull request, so there is no reviewed plan comment for stack '${stack}'`;
  }
  return `none of the pull requests of commit ${short(sha)} approves one (${refused.join('; ')})`;
}
