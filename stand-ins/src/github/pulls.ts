/**
 * Pull requests in the GitHub stand-in. A pull request is an issue with a pull record (head,
 * base, merge state), sharing the repository's issue numbers, so its comments and labels go
 * through the issue endpoints (comments.ts, labels.ts).
 *
 *   GET    /repos/{o}/{r}/commits/{sha}/pulls     PRs whose head or merge commit is sha, or
 *                                                 associated with it; newest first
 *   GET    /repos/{o}/{r}/pulls/{n}               the full representation (merged, mergeable…)
 *
 *   github.addPullRequest('Codertocat/Hello-World', { number: 2, headSha: 'abc…', merged: true,
 *     mergeCommitSha: 'def…' });                                  // see SeedPullRequest
 *   github.associateCommit('Codertocat/Hello-World', mergeSha, 2);   // commits/{sha}/pulls
 *
 * A seeded pull request is authored by the repository owner unless `user` says otherwise; a
 * merged one is closed.
 */
import { json, type StandInResponse } from '../http/server.js';
import { docs, notFound } from './errors.js';
import { newIssue, storedIssue, type StoredIssue } from './issues.js';
import { listPage } from './pagination.js';
import type { RepoCall, RepoRoute } from './repo-routes.js';
import { pullJson, type IssueRecord, type PullRecord, type UserRecord } from './shapes.js';
import {
  commentsOf,
  issueByNumber,
  labelsOf,
  nextId,
  repoOrThrow,
  type GitHubStore,
  type RepoState,
} from './store.js';

export interface SeedPullRequest {
  number?: number;
  headSha: string;
  headRef?: string;
  baseRef?: string;
  baseSha?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  mergeCommitSha?: string | null;
  title?: string;
  body?: string | null;
  draft?: boolean;
  user?: UserRecord;
}

export const pullRoutes: RepoRoute[] = [
  {
    method: 'GET',
    path: '/commits/:sha/pulls',
    access: 'read',
    documentationUrl: docs.commitPulls,
    handle: listCommitPulls,
  },
  {
    method: 'GET',
    path: '/pulls/:number',
    access: 'read',
    documentationUrl: docs.getPull,
    handle: getPull,
  },
];

/** `addPullRequest` of the stand-in. */
export function seedPullRequest(
  store: GitHubStore,
  repoName: string,
  seed: SeedPullRequest,
): StoredIssue {
  const repo = repoOrThrow(store, repoName);
  if (!/^[0-9a-f]{7,64}$/i.test(seed.headSha)) {
    throw new Error(`addPullRequest: headSha must be a hex commit sha, got "${seed.headSha}"`);
  }
  const merged = seed.merged ?? false;
  const issue = newIssue(
    store,
    repo,
    {
      title: seed.title ?? `Pull request ${seed.number ?? repo.nextNumber}`,
      body: seed.body ?? null,
      state: merged ? 'closed' : (seed.state ?? 'open'),
      user: seed.user ?? repo.owner,
    },
    seed.number,
  );
  issue.pull = {
    id: nextId(store, 'pull'),
    number: issue.number,
    headSha: seed.headSha,
    headRef: seed.headRef ?? `feature-${issue.number}`,
    baseRef: seed.baseRef ?? 'main',
    baseSha: seed.baseSha ?? '0'.repeat(40),
    merged,
    mergedAt: merged ? issue.createdAt : null,
    mergeCommitSha: seed.mergeCommitSha ?? null,
    draft: seed.draft ?? false,
  };
  return storedIssue(repo, issue);
}

/** `associateCommit` of the stand-in: GET commits/{sha}/pulls then lists that pull request. */
export function associateCommit(
  store: GitHubStore,
  repoName: string,
  sha: string,
  pullNumber: number,
): void {
  const repo = repoOrThrow(store, repoName);
  if (!repo.issues.get(pullNumber)?.pull) {
    throw new Error(`associateCommit: ${repoName} has no pull request #${pullNumber}`);
  }
  const key = sha.toLowerCase();
  const pulls = repo.commitPulls.get(key) ?? new Set<number>();
  pulls.add(pullNumber);
  repo.commitPulls.set(key, pulls);
}

function renderPull(store: GitHubStore, repo: RepoState, issue: IssueRecord, full: boolean) {
  return pullJson(
    issue,
    issue.pull as PullRecord,
    repo.fullName,
    repo.owner,
    repo.id,
    labelsOf(repo, issue),
    commentsOf(repo, issue.number).length,
    store.urls,
    full,
  );
}

function listCommitPulls({ store, request, repo }: RepoCall): StandInResponse {
  const sha = (request.params.sha ?? '').toLowerCase();
  const associated = repo.commitPulls.get(sha) ?? new Set<number>();
  const isFor = (issue: IssueRecord, pull: PullRecord) =>
    associated.has(issue.number) ||
    pull.headSha.toLowerCase() === sha ||
    (pull.merged && pull.mergeCommitSha?.toLowerCase() === sha);
  const list = [...repo.issues.values()]
    .filter((issue) => issue.pull !== undefined && isFor(issue, issue.pull))
    .sort((a, b) => b.number - a.number);
  return listPage(store, request, list, (issue) => renderPull(store, repo, issue, false));
}

function getPull({ store, request, repo, documentationUrl }: RepoCall): StandInResponse {
  const issue = issueByNumber(repo, request.params.number);
  if (!issue?.pull) throw notFound(documentationUrl);
  return json(200, renderPull(store, repo, issue, true));
}
