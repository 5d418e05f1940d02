/**
 * The sticky plan comment: exactly one per (pull request, stack), found by the hidden marker
 * that opens its body and written by the identity the action posts as (`comment-author`),
 * updated in place. Our own duplicates (from a concurrent run) are deleted, keeping the oldest
 * so links to it stay valid. A marker comment anyone else wrote (a copy by hand, a forgery) is
 * never read as the plan, never edited and never deleted: it is only counted, so the apply can
 * say it was ignored.
 */
import { isPlanCommentOf, setPlanCommentStatus } from '../plan/plan-comment.js';
import { authorOf, checkWrittenBy, isWrittenBy } from './comment-author.js';
import type { GitHubClient } from './github-client.js';

export interface IssueRef {
  owner: string;
  repo: string;
  /** Pull requests are issues for comments. */
  issueNumber: number;
}

/** Which sticky comment: the one of `stack` that `author` (the login our token posts as) wrote. */
export interface PlanCommentKey {
  stack: string;
  author: string;
}

export interface FoundComment {
  id: number;
  body: string;
  url: string;
  /** The login of its author. */
  author: string;
}

/** The marker comments of one stack on an issue: ours, and the ones others wrote. */
export interface MarkerComments {
  ours: FoundComment[];
  /** Written by anyone but the author asked for: ignored, never edited or deleted. */
  others: FoundComment[];
}

export interface StickyResult extends FoundComment {
  action: 'created' | 'updated';
  removedDuplicates: number;
}

/** Every comment carrying `key.stack`'s marker on the issue, oldest first, split by author. */
export async function findMarkerComments(
  client: GitHubClient,
  ref: IssueRef,
  key: PlanCommentKey,
): Promise<MarkerComments> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issueNumber,
    per_page: 100,
  });
  const found = comments
    .filter((comment) => isPlanCommentOf(comment.body, key.stack))
    .sort((a, b) => a.id - b.id);
  const toFound = (comment: (typeof found)[number]): FoundComment => ({
    id: comment.id,
    body: comment.body ?? '',
    url: comment.html_url,
    author: authorOf(comment),
  });
  return {
    ours: found.filter((comment) => isWrittenBy(comment, key.author)).map(toFound),
    others: found.filter((comment) => !isWrittenBy(comment, key.author)).map(toFound),
  };
}

/** Every comment of `key.stack`'s plan that `key.author` wrote on the pull request, oldest first. */
export async function findPlanComments(
  client: GitHubClient,
  ref: IssueRef,
  key: PlanCommentKey,
): Promise<FoundComment[]> {
  return (await findMarkerComments(client, ref, key)).ours;
}

/** The sticky comment of `key.stack` (the oldest of ours if there are several), for apply. */
export async function findPlanComment(
  client: GitHubClient,
  ref: IssueRef,
  key: PlanCommentKey,
): Promise<FoundComment | undefined> {
  return (await findPlanComments(client, ref, key))[0];
}

async function deleteComments(
  client: GitHubClient,
  ref: IssueRef,
  comments: readonly { id: number }[],
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

/**
 * Creates or updates the sticky comment of `key.stack` and removes our duplicates. A comment it
 * creates must come back written by `key.author` (else CommentAuthorError, and that comment is
 * removed again): with a wrong comment-author every run would post one more comment.
 */
export async function upsertPlanComment(
  client: GitHubClient,
  ref: IssueRef,
  key: PlanCommentKey,
  body: string,
): Promise<StickyResult> {
  const existing = await findPlanComments(client, ref, key);
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
        author: keep.author,
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
  try {
    checkWrittenBy(data, key.author, `plan comment of stack ${key.stack}`);
  } catch (error) {
    await deleteComments(client, ref, [data]);
    throw error;
  }
  // Another run for the same stack may have created one meanwhile: keep the oldest.
  const after = await findPlanComments(client, ref, key);
  const oldest = after[0];
  if (oldest && oldest.id !== data.id) {
    await client.rest.issues.updateComment({
      owner: ref.owner,
      repo: ref.repo,
      comment_id: oldest.id,
      body,
    });
    const removed = await deleteComments(client, ref, after.slice(1));
    return {
      id: oldest.id,
      body,
      url: oldest.url,
      author: oldest.author,
      action: 'updated',
      removedDuplicates: removed,
    };
  }
  const removed = await deleteComments(client, ref, after.slice(1));
  return {
    id: data.id,
    body,
    url: data.html_url,
    author: key.author,
    action: 'created',
    removedDuplicates: removed,
  };
}

/**
 * Sets the status line of our sticky comment of `key.stack` ("Applied at a1b2c3d by run 4243",
 * "Not applied: ..."). Returns the updated comment, or undefined when we wrote none.
 */
export async function updatePlanCommentStatus(
  client: GitHubClient,
  ref: IssueRef,
  key: PlanCommentKey,
  statusText: string,
): Promise<FoundComment | undefined> {
  const comment = await findPlanComment(client, ref, key);
  if (!comment) return undefined;
  const body = setPlanCommentStatus(comment.body, statusText);
  const { data } = await client.rest.issues.updateComment({
    owner: ref.owner,
    repo: ref.repo,
    comment_id: comment.id,
    body,
  });
  return { id: data.id, body, url: data.html_url, author: comment.author };
}
