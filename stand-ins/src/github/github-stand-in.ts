/**
 * A local stand-in for the GitHub REST API: what the actions use, with GitHub's shapes, limits
 * and errors. Built on ../http/server.ts (loopback only, request log, fault injection).
 *
 *   const github = await startGitHubStandIn();            // repos Codertocat/Hello-World, octo-org/octo-repo
 *   const octokit = getOctokit(github.writeToken, { baseUrl: github.apiUrl });
 *   // or for an action run: GITHUB_API_URL=github.apiUrl, token github.writeToken / readToken
 *   github.addPullRequest('Codertocat/Hello-World', { number: 2, headSha: 'abc...' });
 *   github.associateCommit('Codertocat/Hello-World', mergeSha, 2);
 *   github.comments('Codertocat/Hello-World', 2)           // read back what the action posted
 *   github.injectSecondaryRateLimit({ method: 'POST', path: '/repos/:o/:r/issues/:n/comments' });
 *   github.injectServerError({ status: 502, times: 2 });
 *   github.requests                                        // every request (see RecordedRequest)
 *   await github.close();
 *
 * Endpoints (paths below the API root):
 *   GET    /repos/{o}/{r}/issues/{n}/comments     per_page (default 30, max 100), page, since; Link
 *   POST   /repos/{o}/{r}/issues/{n}/comments     {body}; > 65,536 characters -> 422
 *   GET    /repos/{o}/{r}/issues/comments/{id}
 *   PATCH  /repos/{o}/{r}/issues/comments/{id}    {body}
 *   DELETE /repos/{o}/{r}/issues/comments/{id}    204
 *   GET    /repos/{o}/{r}/issues                  state (open|closed|all), labels (a,b: all of),
 *                                                 sort (created|updated), direction, per_page, page
 *   POST   /repos/{o}/{r}/issues                  {title, body?, labels?} (unknown labels created)
 *   GET    /repos/{o}/{r}/issues/{n}
 *   PATCH  /repos/{o}/{r}/issues/{n}              {title?, body?, state?, state_reason?, labels?}
 *   POST   /repos/{o}/{r}/issues/{n}/labels       {labels: [...]}
 *   GET    /repos/{o}/{r}/labels, /labels/{name}; POST /repos/{o}/{r}/labels {name, color?, description?}
 *   DELETE /repos/{o}/{r}/issues/{n}/labels/{name}; GET /repos/{o}/{r}/issues/{n}/events (issue-events.ts)
 *   GET    /repos/{o}/{r}/commits/{sha}/pulls     PRs whose head or merge commit is sha, or associated
 *   GET    /repos/{o}/{r}/pulls/{n}
 * Pull requests are issues too (shared numbers), so PR comments go through the issue endpoints.
 *
 * Layout: this file is the router. State lives in one plain store (store.ts) that the resource
 * modules share, each serving its endpoints and its seed/read helpers: comments.ts, issues.ts,
 * labels.ts, pulls.ts; auth.ts maps tokens to permissions and users, repo-routes.ts checks
 * both on every repository route, faults.ts and response-headers.ts do what GitHub's edge does.
 *
 * Auth: `Authorization: token X` or `Bearer X`. No token: 401 "Requires authentication"; an
 * unknown token: 401 "Bad credentials"; a read-only token on a write: 403 "Resource not
 * accessible by integration". What a token creates is authored by its user (TokenSpec.user,
 * default github-actions[bot]). Unknown repository, issue, comment, label or pull: 404.
 * Every response carries x-ratelimit-* and x-github-request-id headers.
 */
import { startStandInServer, type RecordedRequest, type Route } from '../http/server.js';
import { readComments, seedComment, commentRoutes, type StoredComment } from './comments.js';
import { docs, notFound } from './errors.js';
import { gitHubFaults, type GitHubFaults } from './faults.js';
import {
  issueRoutes,
  readIssue,
  readIssues,
  seedIssue,
  type SeedIssue,
  type StoredIssue,
} from './issues.js';
import { issueEventRoutes, seedLabelChange, seedMerge } from './issue-events.js';
import { labelRoutes, readLabels, seedLabel } from './labels.js';
import { associateCommit, pullRoutes, seedPullRequest, type SeedPullRequest } from './pulls.js';
import { mountRepoRoute } from './repo-routes.js';
import { withGitHubHeaders } from './response-headers.js';
import type { UserRecord } from './shapes.js';
import {
  addRepository,
  createGitHubStore,
  type GitHubStandInOptions,
  type GitHubStore,
} from './store.js';

export { GITHUB_ACTIONS_BOT, type TokenPermission, type TokenSpec } from './auth.js';
export { MAX_BODY_CHARACTERS } from './request-input.js';
export type { FaultTarget } from './faults.js';
export type { GitHubStandInOptions, SeedIssue, SeedPullRequest, StoredComment, StoredIssue };

export interface GitHubStandIn extends GitHubFaults {
  /** Server origin, http://127.0.0.1:PORT */
  readonly url: string;
  /** API root for Octokit's baseUrl and GITHUB_API_URL (origin + pathPrefix). */
  readonly apiUrl: string;
  readonly writeToken: string;
  readonly readToken: string;
  readonly requests: RecordedRequest[];
  addRepository(fullName: string): void;
  addPullRequest(repo: string, pull: SeedPullRequest): StoredIssue;
  /** Makes GET commits/{sha}/pulls list that pull request for sha. */
  associateCommit(repo: string, sha: string, pullNumber: number): void;
  addIssue(repo: string, issue: SeedIssue): StoredIssue;
  addComment(repo: string, issueNumber: number, body: string, user?: UserRecord): StoredComment;
  addLabel(repo: string, name: string, color?: string, description?: string | null): void;
  comments(repo: string, issueNumber: number): StoredComment[];
  issue(repo: string, issueNumber: number): StoredIssue | undefined;
  issues(repo: string): StoredIssue[];
  labels(repo: string): string[];
  /** Merges a pull request now (or `at`): merged_at, closed, `merged` and `closed` events. */
  mergePullRequest(
    repo: string,
    number: number,
    options?: { at?: Date; mergeCommitSha?: string; actor?: UserRecord },
  ): void;
  /** Puts a label on an issue or pull request (or takes it off) at `at`, with its event. */
  labelIssue(
    repo: string,
    number: number,
    label: string,
    options?: { at?: Date; actor?: UserRecord },
  ): void;
  unlabelIssue(
    repo: string,
    number: number,
    label: string,
    options?: { at?: Date; actor?: UserRecord },
  ): void;
  clearRequests(): void;
  close(): Promise<void>;
}

/** Every route, in matching order: one list per resource module. */
const REPO_ROUTES = [
  ...commentRoutes,
  ...labelRoutes,
  ...issueEventRoutes,
  ...issueRoutes,
  ...pullRoutes,
];

export async function startGitHubStandIn(
  options: GitHubStandInOptions = {},
): Promise<GitHubStandIn> {
  const store = createGitHubStore(options);
  const server = await startStandInServer({
    name: 'github',
    routes: REPO_ROUTES.map((route) => withHeaders(store, mountRepoRoute(store, route))),
    notFound: withGitHubHeaders(store, () => {
      throw notFound(docs.rest);
    }),
  });
  store.urls.api = `${server.url}${store.pathPrefix}`;
  return {
    url: server.url,
    apiUrl: store.urls.api,
    writeToken: store.tokens.find((spec) => spec.permission === 'write')?.token ?? '',
    readToken: store.tokens.find((spec) => spec.permission === 'read')?.token ?? '',
    requests: server.requests,
    ...seedAndRead(store),
    ...gitHubFaults(server, store.pathPrefix),
    clearRequests: () => server.clearRequests(),
    close: () => server.close(),
  };
}

function withHeaders(store: GitHubStore, route: Route): Route {
  return { ...route, handler: withGitHubHeaders(store, route.handler) };
}

type SeedAndRead = Omit<
  GitHubStandIn,
  | keyof GitHubFaults
  | 'url'
  | 'apiUrl'
  | 'writeToken'
  | 'readToken'
  | 'requests'
  | 'clearRequests'
  | 'close'
>;

/** The helpers tests use to set the stage and read back what an action did. */
function seedAndRead(store: GitHubStore): SeedAndRead {
  return {
    addRepository: (fullName) => addRepository(store, fullName),
    addPullRequest: (repo, pull) => seedPullRequest(store, repo, pull),
    associateCommit: (repo, sha, pullNumber) => associateCommit(store, repo, sha, pullNumber),
    addIssue: (repo, issue) => seedIssue(store, repo, issue),
    addComment: (repo, issueNumber, body, user) =>
      seedComment(store, repo, issueNumber, body, user),
    addLabel: (repo, name, color, description) => seedLabel(store, repo, name, color, description),
    comments: (repo, issueNumber) => readComments(store, repo, issueNumber),
    issue: (repo, issueNumber) => readIssue(store, repo, issueNumber),
    issues: (repo) => readIssues(store, repo),
    labels: (repo) => readLabels(store, repo),
    mergePullRequest: (repo, number, options) => seedMerge(store, repo, number, options),
    labelIssue: (repo, number, label, options) =>
      seedLabelChange(store, repo, number, label, 'labeled', options),
    unlabelIssue: (repo, number, label, options) =>
      seedLabelChange(store, repo, number, label, 'unlabeled', options),
  };
}
