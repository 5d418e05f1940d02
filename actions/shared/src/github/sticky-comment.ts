/**
 * The sticky plan comment: exactly one per (pull request, stack), found by the hidden marker
 * that opens its body, updated in place. Duplicates (from a concurrent run, a copy by hand, an
 * older tool) are deleted, keeping the oldest so links to it stay valid.
 */
import { isPlanCommentOf, setPlanCommentStatus } from '../plan/plan-comment.js';
import type { GitHubClient } from './github-client.js';

export interface IssueRef {
  owner: string;
  repo: string;
  /** Pull requests are issues for comments. */
  issueNumber: number;
}

export interface FoundComment {
  id: number;
  body: string;
  url: string;
}

export interface StickyResult extends FoundComment {
  action: 'created' | 'updated';
  removedDuplicates: number;
}

/** Every comment of `stack`'s plan on the pull request, oldest first. */
export async function findPlanComments(
  client: GitHubClient,
  ref: IssueRef,
  stack: string,
): Promise<FoundComment[]> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issueNumber,
    per_page: 100,
  });
  return comments
    .filter((comment) => isPlanCommentOf(comment.body, stack))
    .sort((a, b) => a.id - b.id)
    .map((comment) => ({ id: comment.id, body: comment.body ?? '', url: comment.html_url }));
}

/** The sticky comment of `stack` (the oldest one if there are several), for apply. */
export async function findPlanComment(
  client: GitHubClient,
  ref: IssueRef,
  stack: string,
): Promise<FoundComment | undefined> {
  return (await findPlanComments(client, ref, stack))[0];
}

async function deleteComments(
  client: GitHubClient,
  ref: IssueRef,
  comments: FoundComment[],
): Promise<number> {
  let removed = 0;
  for (const comment of comments) {
    try {
      await client.rest.issues.deleteComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: comment.id,
      });
      removed++;
    } catch (error) {
      // Someone else removed it first: that is the outcome we wanted.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  return removed;
}

/** Creates or updates the sticky comment of `stack` and removes duplicates. */
export async function upsertPlanComment(
  client: GitHubClient,
  ref: IssueRef,
  stack: string,
  body: string,
): Promise<StickyResult> {
  const existing = await findPlanComments(client, ref, stack);
  const [keep, ...duplicates] = existing;
  if (keep) {
    try {
      const { data } = await client.rest.issues.updateComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: keep.id,
        body,
      });
      const removed = await deleteComments(client, ref, duplicates);
      return {
        id: data.id,
        body,
        url: data.html_url,
        action: 'updated',
        removedDuplicates: removed,
      };
    } catch (error) {
      // Deleted since it was listed (by a person, or a run cleaning up): post a new one.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  const { data } = await client.rest.issues.createComment({
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issueNumber,
    body,
  });
  // Another run for the same stack may have created one meanwhile: keep the oldest.
  const after = await findPlanComments(client, ref, stack);
  const oldest = after[0];
  if (oldest && oldest.id !== data.id) {
    await client.rest.issues.updateComment({
      owner: ref.owner,
      repo: ref.repo,
      comment_id: oldest.id,
      body,
    });
    const removed = await deleteComments(client, ref, after.slice(1));
    return { id: oldest.id, body, url: oldest.url, action: 'updated', removedDuplicates: removed };
  }
  const removed = await deleteComments(client, ref, after.slice(1));
  return { id: data.id, body, url: data.html_url, action: 'created', removedDuplicates: removed };
}

/**
 * Sets the status line of `stack`'s sticky comment ("Applied at a1b2c3d by run 4243",
 * "Not applied: ..."). Returns the updated comment, or undefined when there is none.
 */
export async function updatePlanCommentStatus(
  client: GitHubClient,
  ref: IssueRef,
  stack: string,
  statusText: string,
): Promise<FoundComment | undefined> {
  const comment = await findPlanComment(client, ref, stack);
  if (!comment) return undefined;
  const body = setPlanCommentStatus(comment.body, statusText);
  const { data } = await client.rest.issues.updateComment({
    owner: ref.owner,
    repo: ref.repo,
    comment_id: comment.id,
    body,
  });
  return { id: data.id, body, url: data.html_url };
}

/** Pull requests whose head or merge commit is `sha` (for apply on a push to main). */
export async function pullRequestsForCommit(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<{ number: number; state: string; mergedAt: string | null }[]> {
  const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: repo.owner,
    repo: repo.repo,
    commit_sha: sha,
  });
  return data.map((pull) => ({ number: pull.number, state: pull.state, mergedAt: pull.merged_at }));
}
