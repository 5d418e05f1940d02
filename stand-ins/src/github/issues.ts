/**
 * Issues in the GitHub stand-in (pull requests are issues too: pulls.ts adds their pull record):
 *
 *   GET    /repos/{o}/{r}/issues                  state (open|closed|all), labels (a,b: all of),
 *                                                 sort (created|updated), direction, per_page, page
 *   POST   /repos/{o}/{r}/issues                  {title, body?, labels?} (unknown labels created)
 *   GET    /repos/{o}/{r}/issues/{n}
 *   PATCH  /repos/{o}/{r}/issues/{n}              {title?, body?, state?, state_reason?, labels?}
 *
 * A PATCH is validated whole before anything changes, as on GitHub. Closing sets state_reason
 * `completed` unless told otherwise; reopening sets `reopened`. An issue created through the
 * API is authored by the calling token's user (auth.ts). Seed with `addIssue(repo, seed)`;
 * read with `issue(repo, n)` and `issues(repo)` (`StoredIssue`, comments included).
 */
import { json, type StandInResponse } from '../http/server.js';
import { GITHUB_ACTIONS_BOT } from './auth.js';
import { storedComment, type StoredComment } from './comments.js';
import { docs, invalidRequest, validationFailed } from './errors.js';
import { parseLabels, setIssueLabels } from './labels.js';
import { listPage } from './pagination.js';
import { issueParam, type RepoCall, type RepoRoute } from './repo-routes.js';
import { checkBody, readJsonObject } from './request-input.js';
import { issueJson, type IssueRecord, type UserRecord } from './shapes.js';
import {
  commentsOf,
  labelsOf,
  nextId,
  repoOrThrow,
  type GitHubStore,
  type RepoState,
} from './store.js';

export interface SeedIssue {
  title: string;
  body?: string | null;
  labels?: string[];
  state?: 'open' | 'closed';
  user?: UserRecord;
}

/** An issue (or pull request) as plain data, for assertions. */
export interface StoredIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  /** The author's login. */
  user: string;
  isPullRequest: boolean;
  comments: StoredComment[];
}

export const issueRoutes: RepoRoute[] = [
  {
    method: 'GET',
    path: '/issues/:number',
    access: 'read',
    documentationUrl: docs.getIssue,
    handle: (call) => json(200, renderIssue(call.store, call.repo, issueParam(call))),
  },
  {
    method: 'PATCH',
    path: '/issues/:number',
    access: 'write',
    documentationUrl: docs.updateIssue,
    handle: updateIssue,
  },
  {
    method: 'GET',
    path: '/issues',
    access: 'read',
    documentationUrl: docs.listIssues,
    handle: listIssues,
  },
  {
    method: 'POST',
    path: '/issues',
    access: 'write',
    documentationUrl: docs.createIssue,
    handle: createIssue,
  },
];

/** Creates an issue with the next free number, or `number` (which must be free). */
export function newIssue(
  store: GitHubStore,
  repo: RepoState,
  seed: SeedIssue,
  number?: number,
): IssueRecord {
  const at = store.now();
  const issueNumber = number ?? repo.nextNumber;
  if (repo.issues.has(issueNumber)) {
    throw new Error(`${repo.fullName} already has issue or pull request #${issueNumber}`);
  }
  repo.nextNumber = Math.max(repo.nextNumber, issueNumber + 1);
  const closed = seed.state === 'closed';
  const issue: IssueRecord = {
    id: nextId(store, 'issue'),
    number: issueNumber,
    title: seed.title,
    body: seed.body ?? null,
    state: closed ? 'closed' : 'open',
    stateReason: closed ? 'completed' : null,
    labels: [],
    user: seed.user ?? GITHUB_ACTIONS_BOT,
    createdAt: at,
    updatedAt: at,
    closedAt: closed ? at : null,
  };
  setIssueLabels(store, repo, issue, seed.labels ?? [], issue.user);
  repo.issues.set(issueNumber, issue);
  return issue;
}

export function storedIssue(repo: RepoState, issue: IssueRecord): StoredIssue {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    stateReason: issue.stateReason,
    labels: labelsOf(repo, issue).map((label) => label.name),
    user: issue.user.login,
    isPullRequest: issue.pull !== undefined,
    comments: commentsOf(repo, issue.number).map(storedComment),
  };
}

/** `addIssue` of the stand-in. */
export function seedIssue(store: GitHubStore, repoName: string, seed: SeedIssue): StoredIssue {
  const repo = repoOrThrow(store, repoName);
  return storedIssue(repo, newIssue(store, repo, seed));
}

/** `issue` of the stand-in. */
export function readIssue(
  store: GitHubStore,
  repoName: string,
  issueNumber: number,
): StoredIssue | undefined {
  const repo = repoOrThrow(store, repoName);
  const issue = repo.issues.get(issueNumber);
  return issue ? storedIssue(repo, issue) : undefined;
}

/** `issues` of the stand-in: issues and pull requests by number. */
export function readIssues(store: GitHubStore, repoName: string): StoredIssue[] {
  const repo = repoOrThrow(store, repoName);
  return [...repo.issues.values()]
    .sort((a, b) => a.number - b.number)
    .map((issue) => storedIssue(repo, issue));
}

function renderIssue(store: GitHubStore, repo: RepoState, issue: IssueRecord) {
  const commentCount = commentsOf(repo, issue.number).length;
  return issueJson(issue, repo.fullName, labelsOf(repo, issue), commentCount, store.urls);
}

type StateReason = IssueRecord['stateReason'];

interface IssueUpdate {
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  stateReason?: StateReason;
  labels?: string[];
}

function updateIssue(call: RepoCall): StandInResponse {
  const issue = issueParam(call);
  const update = readIssueUpdate(call);
  const at = call.store.now();
  if (update.title !== undefined) issue.title = update.title;
  if (update.body !== undefined) issue.body = update.body;
  if (update.labels) setIssueLabels(call.store, call.repo, issue, update.labels, call.caller.user);
  changeState(issue, update, at);
  issue.updatedAt = at;
  return json(200, renderIssue(call.store, call.repo, issue));
}

/** Validates every field of a PATCH before anything changes, as GitHub does. */
function readIssueUpdate({ request, documentationUrl }: RepoCall): IssueUpdate {
  const input = readJsonObject(request, documentationUrl);
  if (input.title !== undefined && (typeof input.title !== 'string' || input.title === '')) {
    throw validationFailed(documentationUrl, [
      { resource: 'Issue', code: 'missing_field', field: 'title' },
    ]);
  }
  const body = checkBody(input.body, 'Issue', documentationUrl, false);
  if (input.state !== undefined && input.state !== 'open' && input.state !== 'closed') {
    throw validationFailed(documentationUrl, [
      { value: input.state, resource: 'Issue', field: 'state', code: 'invalid' },
    ]);
  }
  const reasons = ['completed', 'not_planned', 'reopened', null];
  if (input.state_reason !== undefined && !reasons.includes(input.state_reason as string)) {
    throw validationFailed(documentationUrl, [
      { value: input.state_reason, resource: 'Issue', field: 'state_reason', code: 'invalid' },
    ]);
  }
  return {
    title: input.title as string | undefined,
    body,
    state: input.state as IssueUpdate['state'],
    stateReason: input.state_reason as StateReason | undefined,
    labels: input.labels === undefined ? undefined : parseLabels(input.labels, documentationUrl),
  };
}

function changeState(issue: IssueRecord, update: IssueUpdate, at: Date): void {
  if (update.state === 'closed' && issue.state === 'open') {
    issue.state = 'closed';
    issue.closedAt = at;
    issue.stateReason = update.stateReason ?? 'completed';
  } else if (update.state === 'open' && issue.state === 'closed') {
    issue.state = 'open';
    issue.closedAt = null;
    issue.stateReason = 'reopened';
  } else if (update.stateReason !== undefined && issue.state === 'closed') {
    issue.stateReason = update.stateReason;
  }
}

function listIssues({ store, request, repo, documentationUrl }: RepoCall): StandInResponse {
  const state = request.query.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) {
    throw validationFailed(documentationUrl, [
      { value: state, resource: 'Issue', field: 'state', code: 'invalid' },
    ]);
  }
  const wanted = (request.query.get('labels') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const sort = request.query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
  const ascending = request.query.get('direction') === 'asc';
  const list = [...repo.issues.values()]
    .filter((issue) => state === 'all' || issue.state === state)
    .filter((issue) =>
      wanted.every((name) => issue.labels.some((label) => label.toLowerCase() === name)),
    )
    .sort((a, b) => {
      const delta = a[sort].getTime() - b[sort].getTime() || a.number - b.number;
      return ascending ? delta : -delta;
    });
  return listPage(store, request, list, (issue) => renderIssue(store, repo, issue));
}

function createIssue({
  store,
  request,
  caller,
  repo,
  documentationUrl,
}: RepoCall): StandInResponse {
  const input = readJsonObject(request, documentationUrl);
  if (input.title === undefined) {
    throw invalidRequest(documentationUrl, '"title" wasn\'t supplied.');
  }
  if (typeof input.title !== 'string' || input.title === '') {
    throw validationFailed(documentationUrl, [
      { resource: 'Issue', code: 'missing_field', field: 'title' },
    ]);
  }
  const body = checkBody(input.body, 'Issue', documentationUrl, false);
  const labels = input.labels === undefined ? [] : parseLabels(input.labels, documentationUrl);
  const issue = newIssue(store, repo, {
    title: input.title,
    body: body ?? null,
    labels,
    user: caller.user,
  });
  return json(201, renderIssue(store, repo, issue), {
    location: `${store.urls.api}/repos/${repo.fullName}/issues/${issue.number}`,
  });
}
