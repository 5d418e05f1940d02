/**
 * Issue events in the GitHub stand-in: what happened to an issue or pull request and when, as
 * GitHub's timeline keeps it. The apply action reads them to know which labels a pull request
 * carried at the moment it was merged (a label added after the merge must not count).
 *
 *   GET    /repos/{o}/{r}/issues/{n}/events         per_page, page; Link. Events oldest first:
 *                                                   {id, node_id, url, actor, event, commit_id,
 *                                                   commit_url, created_at, label?: {name, color},
 *                                                   performed_via_github_app}
 *   DELETE /repos/{o}/{r}/issues/{n}/labels/{name}  removes it, answers the remaining labels;
 *                                                   404 "Label does not exist" when not carried
 *
 * Adding labels (POST issues/{n}/labels, PATCH or POST issues with `labels`) records `labeled`
 * events by the caller; `mergePullRequest(repo, n)` of the stand-in records `merged` and
 * `closed`; `labelIssue` / `unlabelIssue` seed events at a given time.
 * https://docs.github.com/rest/issues/events, https://docs.github.com/webhooks/webhook-events-and-payloads
 */
import { json, type StandInResponse } from '../http/server.js';
import { docs, gitHubError } from './errors.js';
import { listPage } from './pagination.js';
import { issueParam, type RepoCall, type RepoRoute } from './repo-routes.js';
import {
  labelJson,
  nodeId,
  timestamp,
  userJson,
  type IssueEventRecord,
  type IssueRecord,
  type LabelRecord,
  type UserRecord,
} from './shapes.js';
import { labelsOf, nextId, repoOrThrow, type GitHubStore, type RepoState } from './store.js';

export const issueEventRoutes: RepoRoute[] = [
  {
    method: 'GET',
    path: '/issues/:number/events',
    access: 'read',
    documentationUrl: docs.issueEvents,
    handle: listIssueEvents,
  },
  {
    method: 'DELETE',
    path: '/issues/:number/labels/:name',
    access: 'write',
    documentationUrl: docs.removeLabel,
    handle: removeLabelFromIssue,
  },
];

export function recordIssueEvent(
  store: GitHubStore,
  issue: IssueRecord,
  event: Omit<IssueEventRecord, 'id' | 'createdAt'> & { createdAt?: Date },
): void {
  const record: IssueEventRecord = {
    ...event,
    id: nextId(store, 'event'),
    createdAt: event.createdAt ?? store.now(),
  };
  issue.events = [...(issue.events ?? []), record];
}

export function recordLabelEvent(
  store: GitHubStore,
  issue: IssueRecord,
  kind: 'labeled' | 'unlabeled',
  label: LabelRecord,
  actor: UserRecord,
  createdAt?: Date,
): void {
  recordIssueEvent(store, issue, {
    event: kind,
    actor,
    label: { name: label.name, color: label.color },
    ...(createdAt ? { createdAt } : {}),
  });
}

function eventJson(store: GitHubStore, repo: RepoState, event: IssueEventRecord) {
  const url = `${store.urls.api}/repos/${repo.fullName}/issues/events/${event.id}`;
  const commitId = event.commitId ?? null;
  return {
    id: event.id,
    node_id: nodeId('LabeledEvent', event.id),
    url,
    actor: userJson(event.actor, store.urls),
    event: event.event,
    commit_id: commitId,
    commit_url: commitId ? `${store.urls.api}/repos/${repo.fullName}/commits/${commitId}` : null,
    created_at: timestamp(event.createdAt),
    ...(event.label ? { label: event.label } : {}),
    performed_via_github_app: null,
  };
}

function listIssueEvents(call: RepoCall): StandInResponse {
  const issue = issueParam(call);
  return listPage(call.store, call.request, issue.events ?? [], (event) =>
    eventJson(call.store, call.repo, event),
  );
}

function removeLabelFromIssue(call: RepoCall): StandInResponse {
  const { store, repo } = call;
  const issue = issueParam(call);
  const name = (call.request.params.name ?? '').toLowerCase();
  const index = issue.labels.findIndex((carried) => carried.toLowerCase() === name);
  const label = repo.labels.get(name);
  if (index < 0 || !label) throw gitHubError(404, 'Label does not exist', call.documentationUrl);
  issue.labels.splice(index, 1);
  issue.updatedAt = store.now();
  recordLabelEvent(store, issue, 'unlabeled', label, call.caller.user);
  return json(
    200,
    labelsOf(repo, issue).map((carried) => labelJson(carried, repo.fullName, store.urls)),
  );
}

function issueOrThrow(store: GitHubStore, repoName: string, number: number) {
  const repo = repoOrThrow(store, repoName);
  const issue = repo.issues.get(number);
  if (!issue) throw new Error(`${repoName} has no issue or pull request #${number}`);
  return { repo, issue };
}

/** `mergePullRequest` of the stand-in: merged and closed now (or `at`), with their events. */
export function seedMerge(
  store: GitHubStore,
  repoName: string,
  number: number,
  options: { at?: Date; mergeCommitSha?: string; actor?: UserRecord } = {},
): void {
  const { repo, issue } = issueOrThrow(store, repoName, number);
  if (!issue.pull) throw new Error(`mergePullRequest: #${number} is not a pull request`);
  const at = options.at ?? store.now();
  issue.pull.merged = true;
  issue.pull.mergedAt = at;
  if (options.mergeCommitSha) issue.pull.mergeCommitSha = options.mergeCommitSha;
  issue.state = 'closed';
  issue.closedAt = at;
  issue.updatedAt = at;
  const actor = options.actor ?? repo.owner;
  const commitId = issue.pull.mergeCommitSha;
  recordIssueEvent(store, issue, { event: 'merged', actor, createdAt: at, commitId });
  recordIssueEvent(store, issue, { event: 'closed', actor, createdAt: at, commitId });
}

/** `labelIssue` / `unlabelIssue` of the stand-in: the label put on or taken off at `at`. */
export function seedLabelChange(
  store: GitHubStore,
  repoName: string,
  number: number,
  name: string,
  kind: 'labeled' | 'unlabeled',
  options: { at?: Date; actor?: UserRecord } = {},
): void {
  const { repo, issue } = issueOrThrow(store, repoName, number);
  const key = name.toLowerCase();
  let label = repo.labels.get(key);
  if (!label) {
    label = {
      id: nextId(store, 'label'),
      name,
      color: 'ededed',
      description: null,
      default: false,
    };
    repo.labels.set(key, label);
  }
  const carried = issue.labels.findIndex((existing) => existing.toLowerCase() === key);
  if (kind === 'labeled' && carried < 0) issue.labels.push(label.name);
  if (kind === 'unlabeled' && carried >= 0) issue.labels.splice(carried, 1);
  recordLabelEvent(store, issue, kind, label, options.actor ?? repo.owner, options.at);
}
