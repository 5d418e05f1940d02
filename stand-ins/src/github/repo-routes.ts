/**
 * What every repository route of the GitHub stand-in shares: a resource module (comments.ts,
 * issues.ts, labels.ts, pulls.ts) lists its routes as `RepoRoute`s, paths below
 * /repos/{owner}/{repo}, and `mountRepoRoute` turns one into a server route that, in order:
 *
 *   authenticates the caller (auth.ts: 401 without a token or with an unknown one),
 *   finds the repository (404 Not Found, with the route's documentation URL),
 *   refuses a read-only token on a write (403 "Resource not accessible by integration" with
 *   x-accepted-github-permissions, as GitHub answers an installation token that lacks it),
 *   then calls the route's handler with a `RepoCall`: store, request, caller, repository.
 */
import type { Route, StandInRequest, StandInResponse } from '../http/server.js';
import { authenticate, type Caller, type TokenPermission } from './auth.js';
import { gitHubError, notFound } from './errors.js';
import type { IssueRecord } from './shapes.js';
import { findRepo, issueByNumber, type GitHubStore, type RepoState } from './store.js';

export interface RepoCall {
  readonly store: GitHubStore;
  readonly request: StandInRequest;
  readonly caller: Caller;
  readonly repo: RepoState;
  /** The route's documentation URL, for the errors it answers. */
  readonly documentationUrl: string;
}

export interface RepoRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below /repos/{owner}/{repo}, e.g. '/issues/:number/comments'. */
  path: string;
  /** 'write' routes refuse read-only tokens. */
  access: TokenPermission;
  documentationUrl: string;
  handle(call: RepoCall): StandInResponse;
}

const ACCEPTED_PERMISSIONS = 'issues=write; pull_requests=write';

export function mountRepoRoute(store: GitHubStore, route: RepoRoute): Route {
  return {
    method: route.method,
    path: `${store.pathPrefix}/repos/:owner/:repo${route.path}`,
    handler: (request) => {
      const caller = authenticate(store.tokens, request);
      const repo = findRepo(store, `${request.params.owner}/${request.params.repo}`);
      if (!repo) throw notFound(route.documentationUrl);
      if (route.access === 'write' && caller.permission !== 'write') {
        throw gitHubError(
          403,
          'Resource not accessible by integration',
          route.documentationUrl,
          {},
          { 'x-accepted-github-permissions': ACCEPTED_PERMISSIONS },
        );
      }
      return route.handle({
        store,
        request,
        caller,
        repo,
        documentationUrl: route.documentationUrl,
      });
    },
  };
}

/** The issue (or pull request) named by the `:number` path parameter; 404 when there is none. */
export function issueParam(call: RepoCall): IssueRecord {
  const issue = issueByNumber(call.repo, call.request.params.number);
  if (!issue) throw notFound(call.documentationUrl);
  return issue;
}
