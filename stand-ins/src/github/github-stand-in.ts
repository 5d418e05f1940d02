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
 *   GET    /repos/{o}/{r}/commits/{sha}/pulls     PRs whose head or merge commit is sha, or associated
 *   GET    /repos/{o}/{r}/pulls/{n}
 * Pull requests are issues too (shared numbers), so PR comments go through the issue endpoints.
 *
 * Auth: `Authorization: token X` or `Bearer X`. No token: 401 "Requires authentication"; an
 * unknown token: 401 "Bad credentials"; a read-only token on a write: 403 "Resource not
 * accessible by integration". Unknown repository, issue, comment, label or pull: 404.
 * Every response carries x-ratelimit-* and x-github-request-id headers.
 */
import { randomUUID } from 'node:crypto';
import {
  json,
  startStandInServer,
  type Fault,
  type Handler,
  type InjectedFault,
  type RecordedRequest,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';
import {
  docs,
  gitHubError,
  invalidRequest,
  notFound,
  secondaryRateLimitMessage,
  validationFailed,
} from './errors.js';
import {
  commentJson,
  issueJson,
  labelJson,
  pullJson,
  type CommentRecord,
  type IssueRecord,
  type LabelRecord,
  type PullRecord,
  type Urls,
  type UserRecord,
} from './shapes.js';

/** GitHub's limit on issue and comment bodies, in characters. */
export const MAX_BODY_CHARACTERS = 65_536;

export type TokenPermission = 'write' | 'read';

export interface TokenSpec {
  token: string;
  permission: TokenPermission;
  /** The identity comments and issues are created as; default github-actions[bot]. */
  user?: UserRecord;
}

export const GITHUB_ACTIONS_BOT: UserRecord = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
};

export interface GitHubStandInOptions {
  /** 'owner/name' of the repositories that exist; default Codertocat/Hello-World and octo-org/octo-repo (the fixtures' repos). */
  repositories?: string[];
  /** Default: one write token (`writeToken`) and one read-only token (`readToken`). */
  tokens?: TokenSpec[];
  /** Serve the API below a path, e.g. '/api/v3' as GitHub Enterprise Server does. */
  pathPrefix?: string;
  /** Web root used in html_url fields; default https://github.com. */
  htmlUrl?: string;
  /** Clock for created_at/updated_at; default the real time. */
  now?: () => Date;
}

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

export interface SeedIssue {
  title: string;
  body?: string | null;
  labels?: string[];
  state?: 'open' | 'closed';
  user?: UserRecord;
}

/** The stand-in's state as plain data, for assertions. */
export interface StoredComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  isPullRequest: boolean;
  comments: StoredComment[];
}

export interface FaultTarget {
  method?: string;
  /** Route pattern below the API root ('/repos/:o/:r/issues/:n/comments', '/repos/*'); default every path. */
  path?: string;
  /** Default 1; Infinity for every matching request. */
  times?: number;
}

export interface GitHubStandIn {
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
  /** 403 (or 429) with retry-after and GitHub's secondary rate limit message. */
  injectSecondaryRateLimit(
    target?: FaultTarget & { retryAfterSeconds?: number; status?: 403 | 429 },
  ): InjectedFault;
  /** A 5xx (default 502) with a GitHub-style JSON body. */
  injectServerError(target?: FaultTarget & { status?: number; body?: unknown }): InjectedFault;
  /** Any fault, path relative to the API root (see ../http/server.ts). */
  injectFault(fault: Fault): InjectedFault;
  clearFaults(): void;
  clearRequests(): void;
  close(): Promise<void>;
}

interface RepoState {
  fullName: string;
  id: number;
  owner: UserRecord;
  nextNumber: number;
  issues: Map<number, IssueRecord>;
  labels: Map<string, LabelRecord>;
  commitPulls: Map<string, Set<number>>;
}

interface Caller {
  token: TokenSpec;
}

const DEFAULT_WRITE_TOKEN = 'ghs_standInWriteToken0000000000000000000';
const DEFAULT_READ_TOKEN = 'ghs_standInReadOnlyToken000000000000000';

export async function startGitHubStandIn(
  options: GitHubStandInOptions = {},
): Promise<GitHubStandIn> {
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const tokens = options.tokens ?? [
    { token: DEFAULT_WRITE_TOKEN, permission: 'write' },
    { token: DEFAULT_READ_TOKEN, permission: 'read' },
  ];
  const repos = new Map<string, RepoState>();
  const comments = new Map<number, CommentRecord>();
  const rateRemaining = new Map<string, number>();
  let nextRepoId = 1_296_269;
  let nextIssueId = 1_000_000_001;
  let nextCommentId = 2_147_483_700; // beyond int32, as real comment ids are
  let nextLabelId = 208_045_946;
  let nextPullId = 1_100_000_001;
  let urls: Urls = { api: '', html: options.htmlUrl ?? 'https://github.com' };

  const repoKey = (fullName: string) => fullName.toLowerCase();

  function addRepository(fullName: string): void {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length > 0) {
      throw new Error(`repository must be "owner/name", got "${fullName}"`);
    }
    if (repos.has(repoKey(fullName))) return;
    const id = nextRepoId++;
    repos.set(repoKey(fullName), {
      fullName,
      id,
      owner: { login: owner, id: 21_031_067 + id, type: 'User' },
      nextNumber: 1,
      issues: new Map(),
      labels: new Map(),
      commitPulls: new Map(),
    });
  }
  for (const fullName of options.repositories ?? ['Codertocat/Hello-World', 'octo-org/octo-repo']) {
    addRepository(fullName);
  }

  function repoOrThrow(fullName: string): RepoState {
    const repo = repos.get(repoKey(fullName));
    if (!repo) throw new Error(`stand-in has no repository ${fullName}; add it with addRepository`);
    return repo;
  }

  function ensureLabel(repo: RepoState, name: string): LabelRecord {
    const existing = repo.labels.get(name.toLowerCase());
    if (existing) return existing;
    const label: LabelRecord = {
      id: nextLabelId++,
      name,
      color: 'ededed',
      description: null,
      default: false,
    };
    repo.labels.set(name.toLowerCase(), label);
    return label;
  }

  function labelsOf(repo: RepoState, issue: IssueRecord): LabelRecord[] {
    return issue.labels
      .map((name) => repo.labels.get(name.toLowerCase()))
      .filter((label): label is LabelRecord => label !== undefined);
  }

  function commentsOf(repo: RepoState, issueNumber: number): CommentRecord[] {
    return [...comments.values()]
      .filter((c) => repoKey(c.repo) === repoKey(repo.fullName) && c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }

  const renderIssue = (repo: RepoState, issue: IssueRecord) =>
    issueJson(
      issue,
      repo.fullName,
      labelsOf(repo, issue),
      commentsOf(repo, issue.number).length,
      urls,
    );

  const renderPull = (repo: RepoState, issue: IssueRecord, full: boolean) =>
    pullJson(
      issue,
      issue.pull as PullRecord,
      repo.fullName,
      repo.owner,
      repo.id,
      labelsOf(repo, issue),
      commentsOf(repo, issue.number).length,
      urls,
      full,
    );

  function storedComment(comment: CommentRecord): StoredComment {
    return {
      id: comment.id,
      issueNumber: comment.issueNumber,
      body: comment.body,
      user: comment.user.login,
      createdAt: comment.createdAt,
      updatedAt: comment.updatedAt,
    };
  }

  function storedIssue(repo: RepoState, issue: IssueRecord): StoredIssue {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      stateReason: issue.stateReason,
      labels: labelsOf(repo, issue).map((label) => label.name),
      isPullRequest: issue.pull !== undefined,
      comments: commentsOf(repo, issue.number).map(storedComment),
    };
  }

  function newIssue(repo: RepoState, seed: SeedIssue, number?: number): IssueRecord {
    const at = now();
    const issueNumber = number ?? repo.nextNumber;
    if (repo.issues.has(issueNumber)) {
      throw new Error(`${repo.fullName} already has issue or pull request #${issueNumber}`);
    }
    repo.nextNumber = Math.max(repo.nextNumber, issueNumber + 1);
    const closed = seed.state === 'closed';
    const issue: IssueRecord = {
      id: nextIssueId++,
      number: issueNumber,
      title: seed.title,
      body: seed.body ?? null,
      state: closed ? 'closed' : 'open',
      stateReason: closed ? 'completed' : null,
      labels: (seed.labels ?? []).map((name) => ensureLabel(repo, name).name),
      user: seed.user ?? GITHUB_ACTIONS_BOT,
      createdAt: at,
      updatedAt: at,
      closedAt: closed ? at : null,
    };
    repo.issues.set(issueNumber, issue);
    return issue;
  }

  function newComment(repo: RepoState, issue: IssueRecord, body: string, user: UserRecord) {
    const at = now();
    const comment: CommentRecord = {
      id: nextCommentId++,
      repo: repo.fullName,
      issueNumber: issue.number,
      body,
      user,
      createdAt: at,
      updatedAt: at,
    };
    comments.set(comment.id, comment);
    issue.updatedAt = at;
    return comment;
  }

  // ---- HTTP side -------------------------------------------------------------------------

  function authenticate(req: StandInRequest): Caller {
    const header = req.header('authorization');
    if (!header) throw gitHubError(401, 'Requires authentication', docs.rest);
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    const token = match ? tokens.find((spec) => spec.token === match[1]) : undefined;
    if (!token) throw gitHubError(401, 'Bad credentials', docs.rest);
    return { token };
  }

  type RouteHandler = (req: StandInRequest, caller: Caller, repo: RepoState) => StandInResponse;

  /** Wraps a repository route: auth, write permission, repository lookup, rate-limit headers. */
  function repoRoute(
    access: TokenPermission,
    documentationUrl: string,
    handler: RouteHandler,
    acceptedPermissions = 'issues=write; pull_requests=write',
  ): Handler {
    return (req) => {
      const caller = authenticate(req);
      const repo = repos.get(repoKey(`${req.params.owner}/${req.params.repo}`));
      if (!repo) throw notFound(documentationUrl);
      if (access === 'write' && caller.token.permission !== 'write') {
        throw gitHubError(
          403,
          'Resource not accessible by integration',
          documentationUrl,
          {},
          { 'x-accepted-github-permissions': acceptedPermissions },
        );
      }
      return handler(req, caller, repo);
    };
  }

  function readJsonObject(req: StandInRequest, documentationUrl: string): Record<string, unknown> {
    if (req.body.length === 0) return {};
    let value: unknown;
    try {
      value = JSON.parse(req.text());
    } catch {
      throw gitHubError(400, 'Problems parsing JSON', documentationUrl);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalidRequest(documentationUrl, 'Body should be a JSON object');
    }
    return value as Record<string, unknown>;
  }

  function checkBody(
    body: unknown,
    resource: 'IssueComment' | 'Issue',
    documentationUrl: string,
    required: boolean,
  ): string | null | undefined {
    if (body === undefined) {
      if (required) throw invalidRequest(documentationUrl, '"body" wasn\'t supplied.');
      return undefined;
    }
    if (body === null && !required) return null;
    if (typeof body !== 'string') {
      throw invalidRequest(
        documentationUrl,
        `For 'properties/body', ${JSON.stringify(body)} is not a string.`,
      );
    }
    // GitHub counts characters (code points), not UTF-16 units.
    if ([...body].length > MAX_BODY_CHARACTERS) {
      throw validationFailed(documentationUrl, [
        {
          resource,
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${MAX_BODY_CHARACTERS} characters)`,
        },
      ]);
    }
    return body;
  }

  function issueOrThrow(repo: RepoState, number: string | undefined, documentationUrl: string) {
    const issue = /^\d+$/.test(number ?? '') ? repo.issues.get(Number(number)) : undefined;
    if (!issue) throw notFound(documentationUrl);
    return issue;
  }

  function commentOrThrow(repo: RepoState, id: string | undefined, documentationUrl: string) {
    const comment = /^\d+$/.test(id ?? '') ? comments.get(Number(id)) : undefined;
    if (!comment || repoKey(comment.repo) !== repoKey(repo.fullName)) {
      throw notFound(documentationUrl);
    }
    return comment;
  }

  function parseLabels(value: unknown, documentationUrl: string): string[] {
    if (!Array.isArray(value)) {
      throw invalidRequest(
        documentationUrl,
        `For 'properties/labels', ${JSON.stringify(value)} is not an array.`,
      );
    }
    return value.map((item) => {
      const name =
        typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : item;
      if (typeof name !== 'string' || name === '') {
        throw invalidRequest(
          documentationUrl,
          `For 'items', ${JSON.stringify(item)} is not a string.`,
        );
      }
      return name;
    });
  }

  /** One page of a list, rendered, with GitHub's page/per_page handling and Link header. */
  function listPage<T>(
    req: StandInRequest,
    items: T[],
    render: (item: T) => unknown,
  ): StandInResponse {
    const perPageRaw = Number.parseInt(req.query.get('per_page') ?? '', 10);
    const perPage = Number.isFinite(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, 100) : 30;
    const pageRaw = Number.parseInt(req.query.get('page') ?? '', 10);
    const page = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (items.length > perPage) {
      const link = (target: number) => {
        const query = new URLSearchParams(req.query);
        query.set('page', String(target));
        return `<${urls.api.slice(0, urls.api.length - prefix.length)}${req.path}?${query.toString()}>`;
      };
      const links: string[] = [];
      if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
      if (page < lastPage)
        links.push(`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`);
      if (page > 1) links.push(`${link(1)}; rel="first"`);
      headers.link = links.join(', ');
    }
    return json(200, body.map(render), headers);
  }

  const p = (path: string) => `${prefix}${path}`;
  const repoPath = (rest: string) => p(`/repos/:owner/:repo${rest}`);

  const routes = [
    {
      method: 'GET',
      path: repoPath('/issues/comments/:id'),
      handler: repoRoute('read', docs.getComment, (req, _caller, repo) => {
        const comment = commentOrThrow(repo, req.params.id, docs.getComment);
        const issue = repo.issues.get(comment.issueNumber);
        return json(200, commentJson(comment, urls, issue?.pull !== undefined));
      }),
    },
    {
      method: 'PATCH',
      path: repoPath('/issues/comments/:id'),
      handler: repoRoute('write', docs.updateComment, (req, _caller, repo) => {
        const comment = commentOrThrow(repo, req.params.id, docs.updateComment);
        const input = readJsonObject(req, docs.updateComment);
        const body = checkBody(input.body, 'IssueComment', docs.updateComment, true) as string;
        comment.body = body;
        comment.updatedAt = now();
        const issue = repo.issues.get(comment.issueNumber);
        return json(200, commentJson(comment, urls, issue?.pull !== undefined));
      }),
    },
    {
      method: 'DELETE',
      path: repoPath('/issues/comments/:id'),
      handler: repoRoute('write', docs.deleteComment, (req, _caller, repo) => {
        const comment = commentOrThrow(repo, req.params.id, docs.deleteComment);
        comments.delete(comment.id);
        return { status: 204 };
      }),
    },
    {
      method: 'GET',
      path: repoPath('/issues/:number/comments'),
      handler: repoRoute('read', docs.listComments, (req, _caller, repo) => {
        const issue = issueOrThrow(repo, req.params.number, docs.listComments);
        const since = req.query.get('since');
        const sinceTime = since ? Date.parse(since) : Number.NaN;
        const list = commentsOf(repo, issue.number).filter(
          (c) => Number.isNaN(sinceTime) || c.updatedAt.getTime() >= sinceTime,
        );
        return listPage(req, list, (c) => commentJson(c, urls, issue.pull !== undefined));
      }),
    },
    {
      method: 'POST',
      path: repoPath('/issues/:number/comments'),
      handler: repoRoute('write', docs.createComment, (req, caller, repo) => {
        const issue = issueOrThrow(repo, req.params.number, docs.createComment);
        const input = readJsonObject(req, docs.createComment);
        const body = checkBody(input.body, 'IssueComment', docs.createComment, true) as string;
        const comment = newComment(repo, issue, body, caller.token.user ?? GITHUB_ACTIONS_BOT);
        return json(201, commentJson(comment, urls, issue.pull !== undefined), {
          location: `${urls.api}/repos/${repo.fullName}/issues/comments/${comment.id}`,
        });
      }),
    },
    {
      method: 'POST',
      path: repoPath('/issues/:number/labels'),
      handler: repoRoute('write', docs.addLabels, (req, _caller, repo) => {
        const issue = issueOrThrow(repo, req.params.number, docs.addLabels);
        const input = readJsonObject(req, docs.addLabels);
        for (const name of parseLabels(input.labels, docs.addLabels)) {
          const label = ensureLabel(repo, name);
          if (!issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) {
            issue.labels.push(label.name);
          }
        }
        issue.updatedAt = now();
        return json(
          200,
          labelsOf(repo, issue).map((label) => labelJson(label, repo.fullName, urls)),
        );
      }),
    },
    {
      method: 'GET',
      path: repoPath('/issues/:number'),
      handler: repoRoute('read', docs.getIssue, (req, _caller, repo) =>
        json(200, renderIssue(repo, issueOrThrow(repo, req.params.number, docs.getIssue))),
      ),
    },
    {
      method: 'PATCH',
      path: repoPath('/issues/:number'),
      handler: repoRoute('write', docs.updateIssue, (req, _caller, repo) => {
        const issue = issueOrThrow(repo, req.params.number, docs.updateIssue);
        const input = readJsonObject(req, docs.updateIssue);
        // Validate everything before changing anything, as GitHub does.
        if (input.title !== undefined && (typeof input.title !== 'string' || input.title === '')) {
          throw validationFailed(docs.updateIssue, [
            { resource: 'Issue', code: 'missing_field', field: 'title' },
          ]);
        }
        const body = checkBody(input.body, 'Issue', docs.updateIssue, false);
        if (input.state !== undefined && input.state !== 'open' && input.state !== 'closed') {
          throw validationFailed(docs.updateIssue, [
            { value: input.state, resource: 'Issue', field: 'state', code: 'invalid' },
          ]);
        }
        const reasons = ['completed', 'not_planned', 'reopened', null];
        if (input.state_reason !== undefined && !reasons.includes(input.state_reason as string)) {
          throw validationFailed(docs.updateIssue, [
            {
              value: input.state_reason,
              resource: 'Issue',
              field: 'state_reason',
              code: 'invalid',
            },
          ]);
        }
        const labels =
          input.labels === undefined ? undefined : parseLabels(input.labels, docs.updateIssue);

        const at = now();
        if (typeof input.title === 'string') issue.title = input.title;
        if (body !== undefined) issue.body = body;
        if (labels) issue.labels = labels.map((name) => ensureLabel(repo, name).name);
        if (input.state === 'closed' && issue.state === 'open') {
          issue.state = 'closed';
          issue.closedAt = at;
          issue.stateReason = (input.state_reason as IssueRecord['stateReason']) ?? 'completed';
        } else if (input.state === 'open' && issue.state === 'closed') {
          issue.state = 'open';
          issue.closedAt = null;
          issue.stateReason = 'reopened';
        } else if (input.state_reason !== undefined && issue.state === 'closed') {
          issue.stateReason = input.state_reason as IssueRecord['stateReason'];
        }
        issue.updatedAt = at;
        return json(200, renderIssue(repo, issue));
      }),
    },
    {
      method: 'GET',
      path: repoPath('/issues'),
      handler: repoRoute('read', docs.listIssues, (req, _caller, repo) => {
        const state = req.query.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(state)) {
          throw validationFailed(docs.listIssues, [
            { value: state, resource: 'Issue', field: 'state', code: 'invalid' },
          ]);
        }
        const wanted = (req.query.get('labels') ?? '')
          .split(',')
          .map((name) => name.trim().toLowerCase())
          .filter((name) => name !== '');
        const sort = req.query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
        const ascending = req.query.get('direction') === 'asc';
        const list = [...repo.issues.values()]
          .filter((issue) => state === 'all' || issue.state === state)
          .filter((issue) =>
            wanted.every((name) => issue.labels.some((label) => label.toLowerCase() === name)),
          )
          .sort((a, b) => {
            const delta = a[sort].getTime() - b[sort].getTime() || a.number - b.number;
            return ascending ? delta : -delta;
          });
        return listPage(req, list, (issue) => renderIssue(repo, issue));
      }),
    },
    {
      method: 'POST',
      path: repoPath('/issues'),
      handler: repoRoute('write', docs.createIssue, (req, caller, repo) => {
        const input = readJsonObject(req, docs.createIssue);
        if (input.title === undefined) {
          throw invalidRequest(docs.createIssue, '"title" wasn\'t supplied.');
        }
        if (typeof input.title !== 'string' || input.title === '') {
          throw validationFailed(docs.createIssue, [
            { resource: 'Issue', code: 'missing_field', field: 'title' },
          ]);
        }
        const body = checkBody(input.body, 'Issue', docs.createIssue, false);
        const labels =
          input.labels === undefined ? [] : parseLabels(input.labels, docs.createIssue);
        const issue = newIssue(repo, {
          title: input.title,
          body: body ?? null,
          labels,
          user: caller.token.user ?? GITHUB_ACTIONS_BOT,
        });
        return json(201, renderIssue(repo, issue), {
          location: `${urls.api}/repos/${repo.fullName}/issues/${issue.number}`,
        });
      }),
    },
    {
      method: 'GET',
      path: repoPath('/labels'),
      handler: repoRoute('read', docs.listLabels, (req, _caller, repo) => {
        return listPage(req, [...repo.labels.values()], (label) =>
          labelJson(label, repo.fullName, urls),
        );
      }),
    },
    {
      method: 'GET',
      path: repoPath('/labels/:name'),
      handler: repoRoute('read', docs.getLabel, (req, _caller, repo) => {
        const label = repo.labels.get((req.params.name ?? '').toLowerCase());
        if (!label) throw notFound(docs.getLabel);
        return json(200, labelJson(label, repo.fullName, urls));
      }),
    },
    {
      method: 'POST',
      path: repoPath('/labels'),
      handler: repoRoute('write', docs.createLabel, (req, _caller, repo) => {
        const input = readJsonObject(req, docs.createLabel);
        if (typeof input.name !== 'string' || input.name === '') {
          throw invalidRequest(docs.createLabel, '"name" wasn\'t supplied.');
        }
        const color = input.color === undefined ? 'ededed' : input.color;
        if (typeof color !== 'string' || !/^[0-9a-fA-F]{6}$/.test(color)) {
          throw validationFailed(docs.createLabel, [
            { resource: 'Label', code: 'invalid', field: 'color' },
          ]);
        }
        if (repo.labels.has(input.name.toLowerCase())) {
          throw validationFailed(docs.createLabel, [
            { resource: 'Label', code: 'already_exists', field: 'name' },
          ]);
        }
        const label = ensureLabel(repo, input.name);
        label.color = color.toLowerCase();
        label.description = typeof input.description === 'string' ? input.description : null;
        return json(201, labelJson(label, repo.fullName, urls));
      }),
    },
    {
      method: 'GET',
      path: repoPath('/commits/:sha/pulls'),
      handler: repoRoute('read', docs.commitPulls, (req, _caller, repo) => {
        const sha = (req.params.sha ?? '').toLowerCase();
        const associated = repo.commitPulls.get(sha) ?? new Set<number>();
        const list = [...repo.issues.values()]
          .filter((issue) => {
            const pull = issue.pull;
            if (!pull) return false;
            return (
              associated.has(issue.number) ||
              pull.headSha.toLowerCase() === sha ||
              (pull.merged && pull.mergeCommitSha?.toLowerCase() === sha)
            );
          })
          .sort((a, b) => b.number - a.number);
        return listPage(req, list, (issue) => renderPull(repo, issue, false));
      }),
    },
    {
      method: 'GET',
      path: repoPath('/pulls/:number'),
      handler: repoRoute('read', docs.getPull, (req, _caller, repo) => {
        const issue = /^\d+$/.test(req.params.number ?? '')
          ? repo.issues.get(Number(req.params.number))
          : undefined;
        if (!issue?.pull) throw notFound(docs.getPull);
        return json(200, renderPull(repo, issue, true));
      }),
    },
  ];

  /** Adds GitHub's per-response headers to every answer, faults included. */
  function withGitHubHeaders(handler: Handler): Handler {
    return async (req) => {
      const response = await handler(req);
      return { ...response, headers: { ...rateLimitHeaders(req), ...response.headers } };
    };
  }

  function rateLimitHeaders(req: StandInRequest): Record<string, string> {
    const key = req.header('authorization') ?? 'anonymous';
    const remaining = Math.max(0, (rateRemaining.get(key) ?? 5000) - 1);
    rateRemaining.set(key, remaining);
    return {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(5000 - remaining),
      'x-ratelimit-resource': 'core',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': randomUUID().toUpperCase().slice(0, 23),
    };
  }

  const server: StandInServer = await startStandInServer({
    name: 'github',
    routes: routes.map((route) => ({ ...route, handler: withGitHubHeaders(route.handler) })),
    notFound: withGitHubHeaders(() => {
      throw notFound(docs.rest);
    }),
  });
  urls = { ...urls, api: `${server.url}${prefix}` };

  const faultPath = (path: string | undefined) => (path ? `${prefix}${path}` : `${prefix}/*`);

  function seedPull(repoName: string, seed: SeedPullRequest): StoredIssue {
    const repo = repoOrThrow(repoName);
    if (!/^[0-9a-f]{7,64}$/i.test(seed.headSha)) {
      throw new Error(`addPullRequest: headSha must be a hex commit sha, got "${seed.headSha}"`);
    }
    const merged = seed.merged ?? false;
    const issue = newIssue(
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
      id: nextPullId++,
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

  return {
    url: server.url,
    apiUrl: urls.api,
    writeToken: tokens.find((t) => t.permission === 'write')?.token ?? '',
    readToken: tokens.find((t) => t.permission === 'read')?.token ?? '',
    requests: server.requests,
    addRepository,
    addPullRequest: seedPull,
    associateCommit(repoName, sha, pullNumber) {
      const repo = repoOrThrow(repoName);
      if (!repo.issues.get(pullNumber)?.pull) {
        throw new Error(`associateCommit: ${repoName} has no pull request #${pullNumber}`);
      }
      const key = sha.toLowerCase();
      const set = repo.commitPulls.get(key) ?? new Set<number>();
      set.add(pullNumber);
      repo.commitPulls.set(key, set);
    },
    addIssue(repoName, seed) {
      const repo = repoOrThrow(repoName);
      return storedIssue(repo, newIssue(repo, seed));
    },
    addComment(repoName, issueNumber, body, user) {
      const repo = repoOrThrow(repoName);
      const issue = repo.issues.get(issueNumber);
      if (!issue) throw new Error(`addComment: ${repoName} has no issue #${issueNumber}`);
      return storedComment(newComment(repo, issue, body, user ?? GITHUB_ACTIONS_BOT));
    },
    addLabel(repoName, name, color = 'ededed', description = null) {
      const label = ensureLabel(repoOrThrow(repoName), name);
      label.color = color;
      label.description = description;
    },
    comments(repoName, issueNumber) {
      return commentsOf(repoOrThrow(repoName), issueNumber).map(storedComment);
    },
    issue(repoName, issueNumber) {
      const repo = repoOrThrow(repoName);
      const issue = repo.issues.get(issueNumber);
      return issue ? storedIssue(repo, issue) : undefined;
    },
    issues(repoName) {
      const repo = repoOrThrow(repoName);
      return [...repo.issues.values()]
        .sort((a, b) => a.number - b.number)
        .map((issue) => storedIssue(repo, issue));
    },
    labels(repoName) {
      return [...repoOrThrow(repoName).labels.values()].map((label) => label.name);
    },
    injectSecondaryRateLimit(target = {}) {
      const retryAfter = target.retryAfterSeconds ?? 1;
      return server.injectFault({
        method: target.method,
        path: faultPath(target.path),
        times: target.times,
        status: target.status ?? 403,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4990',
          'x-ratelimit-resource': 'core',
        },
        body: {
          documentation_url: docs.secondaryRateLimit,
          message: `${secondaryRateLimitMessage}${randomUUID().toUpperCase().slice(0, 23)}.`,
        },
      });
    },
    injectServerError(target = {}) {
      const status = target.status ?? 502;
      return server.injectFault({
        method: target.method,
        path: faultPath(target.path),
        times: target.times,
        status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: target.body ?? { message: 'Server Error' },
      });
    },
    injectFault(fault) {
      return server.injectFault({
        ...fault,
        path: typeof fault.path === 'string' ? `${prefix}${fault.path}` : fault.path,
      });
    },
    clearFaults: () => server.clearFaults(),
    clearRequests: () => server.clearRequests(),
    close: () => server.close(),
  };
}
