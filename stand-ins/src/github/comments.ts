/**
 * Issue comments in the GitHub stand-in (a pull request's conversation comments are issue
 * comments too):
 *
 *   GET    /repos/{o}/{r}/issues/{n}/comments     per_page, page, since; Link
 *   POST   /repos/{o}/{r}/issues/{n}/comments     {body}; > 65,536 characters -> 422
 *   GET    /repos/{o}/{r}/issues/comments/{id}
 *   PATCH  /repos/{o}/{r}/issues/comments/{id}    {body}
 *   DELETE /repos/{o}/{r}/issues/comments/{id}    204
 *
 * A comment posted through the API is authored by the calling token's user (auth.ts); a seeded
 * one (`addComment(repo, n, body, user?)`) by the user given, default github-actions[bot].
 * `comments(repo, n)` reads them back as `StoredComment`s, oldest first.
 */
import { json, type StandInResponse } from '../http/server.js';
import { GITHUB_ACTIONS_BOT } from './auth.js';
import { docs, notFound } from './errors.js';
import { listPage } from './pagination.js';
import { issueParam, type RepoCall, type RepoRoute } from './repo-routes.js';
import { checkBody, readJsonObject } from './request-input.js';
import { commentJson, type CommentRecord, type IssueRecord, type UserRecord } from './shapes.js';
import { commentsOf, nextId, repoOrThrow, type GitHubStore, type RepoState } from './store.js';

/** A comment as plain data, for assertions. */
export interface StoredComment {
  id: number;
  issueNumber: number;
  body: string;
  /** The author's login. */
  user: string;
  createdAt: Date;
  updatedAt: Date;
}

export const commentRoutes: RepoRoute[] = [
  {
    method: 'GET',
    path: '/issues/comments/:id',
    access: 'read',
    documentationUrl: docs.getComment,
    handle: getComment,
  },
  {
    method: 'PATCH',
    path: '/issues/comments/:id',
    access: 'write',
    documentationUrl: docs.updateComment,
    handle: updateComment,
  },
  {
    method: 'DELETE',
    path: '/issues/comments/:id',
    access: 'write',
    documentationUrl: docs.deleteComment,
    handle: deleteComment,
  },
  {
    method: 'GET',
    path: '/issues/:number/comments',
    access: 'read',
    documentationUrl: docs.listComments,
    handle: listComments,
  },
  {
    method: 'POST',
    path: '/issues/:number/comments',
    access: 'write',
    documentationUrl: docs.createComment,
    handle: createComment,
  },
];

export function newComment(
  store: GitHubStore,
  repo: RepoState,
  issue: IssueRecord,
  body: string,
  user: UserRecord,
): CommentRecord {
  const at = store.now();
  const comment: CommentRecord = {
    id: nextId(store, 'comment'),
    repo: repo.fullName,
    issueNumber: issue.number,
    body,
    user,
    createdAt: at,
    updatedAt: at,
  };
  repo.comments.set(comment.id, comment);
  issue.updatedAt = at;
  return comment;
}

export function storedComment(comment: CommentRecord): StoredComment {
  return {
    id: comment.id,
    issueNumber: comment.issueNumber,
    body: comment.body,
    user: comment.user.login,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
  };
}

/** `addComment` of the stand-in. */
export function seedComment(
  store: GitHubStore,
  repoName: string,
  issueNumber: number,
  body: string,
  user: UserRecord = GITHUB_ACTIONS_BOT,
): StoredComment {
  const repo = repoOrThrow(store, repoName);
  const issue = repo.issues.get(issueNumber);
  if (!issue) throw new Error(`addComment: ${repoName} has no issue #${issueNumber}`);
  return storedComment(newComment(store, repo, issue, body, user));
}

/** `comments` of the stand-in. */
export function readComments(
  store: GitHubStore,
  repoName: string,
  issueNumber: number,
): StoredComment[] {
  return commentsOf(repoOrThrow(store, repoName), issueNumber).map(storedComment);
}

function renderComment(store: GitHubStore, repo: RepoState, comment: CommentRecord) {
  const isPull = repo.issues.get(comment.issueNumber)?.pull !== undefined;
  return commentJson(comment, store.urls, isPull);
}

/** The comment named by the `:id` path parameter, in this repository; 404 otherwise. */
function commentParam({ repo, request, documentationUrl }: RepoCall): CommentRecord {
  const id = request.params.id ?? '';
  const comment = /^\d+$/.test(id) ? repo.comments.get(Number(id)) : undefined;
  if (!comment) throw notFound(documentationUrl);
  return comment;
}

function getComment(call: RepoCall): StandInResponse {
  return json(200, renderComment(call.store, call.repo, commentParam(call)));
}

function updateComment(call: RepoCall): StandInResponse {
  const comment = commentParam(call);
  const input = readJsonObject(call.request, call.documentationUrl);
  comment.body = checkBody(input.body, 'IssueComment', call.documentationUrl, true) as string;
  comment.updatedAt = call.store.now();
  return json(200, renderComment(call.store, call.repo, comment));
}

function deleteComment(call: RepoCall): StandInResponse {
  call.repo.comments.delete(commentParam(call).id);
  return { status: 204 };
}

function listComments(call: RepoCall): StandInResponse {
  const issue = issueParam(call);
  const since = call.request.query.get('since');
  const sinceTime = since ? Date.parse(since) : Number.NaN;
  const list = commentsOf(call.repo, issue.number).filter(
    (comment) => Number.isNaN(sinceTime) || comment.updatedAt.getTime() >= sinceTime,
  );
  return listPage(call.store, call.request, list, (comment) =>
    commentJson(comment, call.store.urls, issue.pull !== undefined),
  );
}

function createComment(call: RepoCall): StandInResponse {
  const issue = issueParam(call);
  const input = readJsonObject(call.request, call.documentationUrl);
  const body = checkBody(input.body, 'IssueComment', call.documentationUrl, true) as string;
  const comment = newComment(call.store, call.repo, issue, body, call.caller.user);
  return json(201, commentJson(comment, call.store.urls, issue.pull !== undefined), {
    location: `${call.store.urls.api}/repos/${call.repo.fullName}/issues/comments/${comment.id}`,
  });
}
