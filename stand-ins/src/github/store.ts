/**
 * The GitHub stand-in's state: one plain object that the resource modules (comments.ts,
 * issues.ts, labels.ts, pulls.ts) read and change, and the lookups they share. Nothing here
 * speaks HTTP.
 *
 * Per repository: issues by number (a pull request is an issue with a `pull` record: they
 * share numbers, as on GitHub), comments by id, labels by lower-case name, and the commits
 * associated with pull requests. Ids come from counters that start where real GitHub ids are
 * (comment ids beyond int32).
 */
import { DEFAULT_TOKENS, type TokenSpec } from './auth.js';
import type { CommentRecord, IssueRecord, LabelRecord, Urls, UserRecord } from './shapes.js';

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

export interface RepoState {
  fullName: string;
  id: number;
  owner: UserRecord;
  nextNumber: number;
  issues: Map<number, IssueRecord>;
  comments: Map<number, CommentRecord>;
  /** By lower-case name: label names are case-insensitive on GitHub. */
  labels: Map<string, LabelRecord>;
  /** Lower-case commit sha -> pull request numbers associated with it. */
  commitPulls: Map<string, Set<number>>;
}

export type IdKind = 'repo' | 'issue' | 'comment' | 'label' | 'pull' | 'event';

export interface GitHubStore {
  /** By lower-case full name: repository names are case-insensitive on GitHub. */
  readonly repos: Map<string, RepoState>;
  readonly tokens: readonly TokenSpec[];
  /** Primary rate-limit budget left, per Authorization header. */
  readonly rateRemaining: Map<string, number>;
  readonly nextIds: Record<IdKind, number>;
  /** `api` is set once the server listens (origin + pathPrefix). */
  readonly urls: Urls;
  /** The API's path below the server origin: '' or e.g. '/api/v3'. */
  readonly pathPrefix: string;
  readonly now: () => Date;
}

export const DEFAULT_REPOSITORIES = ['Codertocat/Hello-World', 'octo-org/octo-repo'];

export function createGitHubStore(options: GitHubStandInOptions): GitHubStore {
  const store: GitHubStore = {
    repos: new Map(),
    tokens: options.tokens ?? DEFAULT_TOKENS,
    rateRemaining: new Map(),
    nextIds: {
      repo: 1_296_269,
      issue: 1_000_000_001,
      comment: 2_147_483_700, // beyond int32, as real comment ids are
      label: 208_045_946,
      pull: 1_100_000_001,
      event: 6_430_295_168,
    },
    urls: { api: '', html: options.htmlUrl ?? 'https://github.com' },
    pathPrefix: (options.pathPrefix ?? '').replace(/\/+$/, ''),
    now: options.now ?? (() => new Date()),
  };
  for (const fullName of options.repositories ?? DEFAULT_REPOSITORIES) {
    addRepository(store, fullName);
  }
  return store;
}

export function nextId(store: GitHubStore, kind: IdKind): number {
  const id = store.nextIds[kind];
  store.nextIds[kind] = id + 1;
  return id;
}

const repoKey = (fullName: string) => fullName.toLowerCase();

export function addRepository(store: GitHubStore, fullName: string): void {
  const [owner, name, ...rest] = fullName.split('/');
  if (!owner || !name || rest.length > 0) {
    throw new Error(`repository must be "owner/name", got "${fullName}"`);
  }
  if (store.repos.has(repoKey(fullName))) return;
  const id = nextId(store, 'repo');
  store.repos.set(repoKey(fullName), {
    fullName,
    id,
    owner: { login: owner, id: 21_031_067 + id, type: 'User' },
    nextNumber: 1,
    issues: new Map(),
    comments: new Map(),
    labels: new Map(),
    commitPulls: new Map(),
  });
}

export function findRepo(store: GitHubStore, fullName: string): RepoState | undefined {
  return store.repos.get(repoKey(fullName));
}

/** For the seed and read helpers: a missing repository is the test's mistake. */
export function repoOrThrow(store: GitHubStore, fullName: string): RepoState {
  const repo = findRepo(store, fullName);
  if (!repo) throw new Error(`stand-in has no repository ${fullName}; add it with addRepository`);
  return repo;
}

/** The issue (or pull request) a path parameter names; only plain digits name one. */
export function issueByNumber(
  repo: RepoState,
  number: string | undefined,
): IssueRecord | undefined {
  return /^\d+$/.test(number ?? '') ? repo.issues.get(Number(number)) : undefined;
}

/** An issue's comments, oldest first. */
export function commentsOf(repo: RepoState, issueNumber: number): CommentRecord[] {
  return [...repo.comments.values()]
    .filter((comment) => comment.issueNumber === issueNumber)
    .sort((a, b) => a.id - b.id);
}

export function labelsOf(repo: RepoState, issue: IssueRecord): LabelRecord[] {
  return issue.labels
    .map((name) => repo.labels.get(name.toLowerCase()))
    .filter((label): label is LabelRecord => label !== undefined);
}
