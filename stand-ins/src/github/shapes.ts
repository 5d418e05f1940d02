// The JSON shapes GitHub returns for users, labels, issues, comments and pull requests, built
// from the stand-in's records. Field sets follow GitHub's webhook examples, which use the same
// REST representations (stand-ins/test/github/shapes.test.ts checks them against
// @octokit/webhooks-examples).

export interface UserRecord {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  user: UserRecord;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Set when this issue is a pull request (they share numbers, as on GitHub). */
  pull?: PullRecord;
  /** The issue's events (labeled, unlabeled, merged, closed), oldest first (issue-events.ts). */
  events?: IssueEventRecord[];
}

export interface IssueEventRecord {
  id: number;
  event: 'labeled' | 'unlabeled' | 'merged' | 'closed';
  actor: UserRecord;
  createdAt: Date;
  label?: { name: string; color: string };
  commitId?: string | null;
}

export interface PullRecord {
  id: number;
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  merged: boolean;
  mergedAt: Date | null;
  mergeCommitSha: string | null;
  draft: boolean;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: UserRecord;
  createdAt: Date;
  updatedAt: Date;
}

export interface Urls {
  /** API root the client used, e.g. http://127.0.0.1:PORT or .../api/v3 */
  api: string;
  /** Web root for html_url, e.g. https://github.com */
  html: string;
}

/** GitHub's legacy global node id: base64("0<len>:<Type><id>"). */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function userJson(user: UserRecord, urls: Urls) {
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url:
      user.type === 'Bot'
        ? `${urls.html}/apps/${user.login.replace(/\[bot\]$/, '')}`
        : `${urls.html}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function labelJson(label: LabelRecord, repo: string, urls: Urls) {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${urls.api}/repos/${repo}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: label.default,
    description: label.description,
  };
}

function reactions(url: string) {
  return {
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
}

export function commentJson(comment: CommentRecord, urls: Urls, isPull: boolean) {
  const url = `${urls.api}/repos/${comment.repo}/issues/comments/${comment.id}`;
  return {
    url,
    html_url: `${urls.html}/${comment.repo}/${isPull ? 'pull' : 'issues'}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${comment.repo}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    user: userJson(comment.user, urls),
    created_at: timestamp(comment.createdAt),
    updated_at: timestamp(comment.updatedAt),
    author_association: 'NONE',
    body: comment.body,
    reactions: reactions(url),
    performed_via_github_app: null,
  };
}

export function issueJson(
  issue: IssueRecord,
  repo: string,
  labels: LabelRecord[],
  commentCount: number,
  urls: Urls,
) {
  const url = `${urls.api}/repos/${repo}/issues/${issue.number}`;
  const pull = issue.pull;
  return {
    url,
    repository_url: `${urls.api}/repos/${repo}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${urls.html}/${repo}/${pull ? 'pull' : 'issues'}/${issue.number}`,
    id: issue.id,
    node_id: nodeId('Issue', issue.id),
    number: issue.number,
    title: issue.title,
    user: userJson(issue.user, urls),
    labels: labels.map((label) => labelJson(label, repo, urls)),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: commentCount,
    created_at: timestamp(issue.createdAt),
    updated_at: timestamp(issue.updatedAt),
    closed_at: issue.closedAt ? timestamp(issue.closedAt) : null,
    author_association: 'NONE',
    active_lock_reason: null,
    ...(pull
      ? {
          draft: pull.draft,
          pull_request: {
            url: `${urls.api}/repos/${repo}/pulls/${issue.number}`,
            html_url: `${urls.html}/${repo}/pull/${issue.number}`,
            diff_url: `${urls.html}/${repo}/pull/${issue.number}.diff`,
            patch_url: `${urls.html}/${repo}/pull/${issue.number}.patch`,
            merged_at: pull.mergedAt ? timestamp(pull.mergedAt) : null,
          },
        }
      : {}),
    body: issue.body,
    closed_by: null,
    reactions: reactions(url),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.stateReason,
  };
}

function branchJson(
  repo: string,
  ref: string,
  sha: string,
  owner: UserRecord,
  repoId: number,
  urls: Urls,
) {
  const [ownerLogin, name] = repo.split('/') as [string, string];
  return {
    label: `${ownerLogin}:${ref}`,
    ref,
    sha,
    user: userJson(owner, urls),
    repo: {
      id: repoId,
      node_id: nodeId('Repository', repoId),
      name,
      full_name: repo,
      private: false,
      owner: userJson(owner, urls),
      html_url: `${urls.html}/${repo}`,
      url: `${urls.api}/repos/${repo}`,
      default_branch: 'main',
    },
  };
}

/**
 * `full`: the single-pull representation (GET /pulls/{n}) adds merged, mergeable, counts; list
 * representations (commits/{sha}/pulls) omit them, as on GitHub.
 */
export function pullJson(
  issue: IssueRecord,
  pull: PullRecord,
  repo: string,
  repoOwner: UserRecord,
  repoId: number,
  labels: LabelRecord[],
  commentCount: number,
  urls: Urls,
  full: boolean,
) {
  const url = `${urls.api}/repos/${repo}/pulls/${pull.number}`;
  const html = `${urls.html}/${repo}/pull/${pull.number}`;
  const issueUrl = `${urls.api}/repos/${repo}/issues/${pull.number}`;
  const list = {
    url,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    number: pull.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(issue.user, urls),
    body: issue.body,
    created_at: timestamp(issue.createdAt),
    updated_at: timestamp(issue.updatedAt),
    closed_at: issue.closedAt ? timestamp(issue.closedAt) : null,
    merged_at: pull.mergedAt ? timestamp(pull.mergedAt) : null,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: labels.map((label) => labelJson(label, repo, urls)),
    milestone: null,
    draft: pull.draft,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${urls.api}/repos/${repo}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${urls.api}/repos/${repo}/statuses/${pull.headSha}`,
    head: branchJson(repo, pull.headRef, pull.headSha, repoOwner, repoId, urls),
    base: branchJson(repo, pull.baseRef, pull.baseSha, repoOwner, repoId, urls),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${urls.api}/repos/${repo}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${urls.api}/repos/${repo}/statuses/${pull.headSha}` },
    },
    author_association: 'NONE',
    auto_merge: null,
    active_lock_reason: null,
  };
  if (!full) return list;
  return {
    ...list,
    merged: pull.merged,
    mergeable: pull.merged || issue.state === 'closed' ? null : true,
    rebaseable: pull.merged || issue.state === 'closed' ? null : true,
    mergeable_state: pull.merged || issue.state === 'closed' ? 'unknown' : 'clean',
    merged_by: null,
    comments: commentCount,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}
