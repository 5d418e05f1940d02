/**
 * Labels in the GitHub stand-in: a repository's labels, and the labels on an issue or pull
 * request (names are case-insensitive; an issue keeps the label's own spelling).
 *
 *   GET    /repos/{o}/{r}/labels                  per_page, page; Link
 *   GET    /repos/{o}/{r}/labels/{name}
 *   POST   /repos/{o}/{r}/labels                  {name, color?, description?}; a name that
 *                                                 exists -> 422 already_exists
 *   POST   /repos/{o}/{r}/issues/{n}/labels       {labels: [...]}: adds them (unknown labels
 *                                                 are created), answers the issue's labels;
 *                                                 each added label is a `labeled` event
 *                                                 (issue-events.ts, which also removes labels)
 *
 * Creating or updating an issue with `labels` also creates unknown ones (issues.ts). Seed with
 * `addLabel(repo, name, color?, description?)`; read with `labels(repo)` (names).
 */
import { json, type StandInResponse } from '../http/server.js';
import { docs, invalidRequest, notFound, validationFailed } from './errors.js';
import { listPage } from './pagination.js';
import { issueParam, type RepoCall, type RepoRoute } from './repo-routes.js';
import { readJsonObject } from './request-input.js';
import { recordLabelEvent } from './issue-events.js';
import { labelJson, type IssueRecord, type LabelRecord, type UserRecord } from './shapes.js';
import { labelsOf, nextId, repoOrThrow, type GitHubStore, type RepoState } from './store.js';

export const labelRoutes: RepoRoute[] = [
  {
    method: 'POST',
    path: '/issues/:number/labels',
    access: 'write',
    documentationUrl: docs.addLabels,
    handle: addLabelsToIssue,
  },
  {
    method: 'GET',
    path: '/labels',
    access: 'read',
    documentationUrl: docs.listLabels,
    handle: listLabels,
  },
  {
    method: 'GET',
    path: '/labels/:name',
    access: 'read',
    documentationUrl: docs.getLabel,
    handle: getLabel,
  },
  {
    method: 'POST',
    path: '/labels',
    access: 'write',
    documentationUrl: docs.createLabel,
    handle: createLabel,
  },
];

/** The repository's label of that name (any case), created grey and undescribed if absent. */
export function ensureLabel(store: GitHubStore, repo: RepoState, name: string): LabelRecord {
  const existing = repo.labels.get(name.toLowerCase());
  if (existing) return existing;
  const label: LabelRecord = {
    id: nextId(store, 'label'),
    name,
    color: 'ededed',
    description: null,
    default: false,
  };
  repo.labels.set(name.toLowerCase(), label);
  return label;
}

/**
 * Sets an issue's labels to these names (creating unknown labels), as PATCH `labels` does;
 * records a labeled or unlabeled event for each difference when `actor` is given.
 */
export function setIssueLabels(
  store: GitHubStore,
  repo: RepoState,
  issue: IssueRecord,
  names: string[],
  actor?: UserRecord,
): void {
  const before = new Set(issue.labels.map((name) => name.toLowerCase()));
  issue.labels = names.map((name) => ensureLabel(store, repo, name).name);
  if (!actor) return;
  const after = new Set(issue.labels.map((name) => name.toLowerCase()));
  for (const name of after)
    if (!before.has(name)) recordLabelEvent(store, issue, 'labeled', labelOf(repo, name), actor);
  for (const name of before)
    if (!after.has(name)) recordLabelEvent(store, issue, 'unlabeled', labelOf(repo, name), actor);
}

function labelOf(repo: RepoState, key: string): LabelRecord {
  return repo.labels.get(key) as LabelRecord;
}

/** Adds labels an issue does not carry yet (creating unknown labels), each a labeled event. */
export function addIssueLabels(
  store: GitHubStore,
  repo: RepoState,
  issue: IssueRecord,
  names: string[],
  actor: UserRecord,
): void {
  for (const name of names) {
    const label = ensureLabel(store, repo, name);
    if (!issue.labels.some((carried) => carried.toLowerCase() === label.name.toLowerCase())) {
      issue.labels.push(label.name);
      recordLabelEvent(store, issue, 'labeled', label, actor);
    }
  }
}

/** A `labels` field: an array of names or of {name} objects. */
export function parseLabels(value: unknown, documentationUrl: string): string[] {
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

/** `addLabel` of the stand-in. */
export function seedLabel(
  store: GitHubStore,
  repoName: string,
  name: string,
  color = 'ededed',
  description: string | null = null,
): void {
  const label = ensureLabel(store, repoOrThrow(store, repoName), name);
  label.color = color;
  label.description = description;
}

/** `labels` of the stand-in: the repository's label names. */
export function readLabels(store: GitHubStore, repoName: string): string[] {
  return [...repoOrThrow(store, repoName).labels.values()].map((label) => label.name);
}

function addLabelsToIssue(call: RepoCall): StandInResponse {
  const { store, repo } = call;
  const issue = issueParam(call);
  const input = readJsonObject(call.request, call.documentationUrl);
  addIssueLabels(
    store,
    repo,
    issue,
    parseLabels(input.labels, call.documentationUrl),
    call.caller.user,
  );
  issue.updatedAt = store.now();
  return json(
    200,
    labelsOf(repo, issue).map((label) => labelJson(label, repo.fullName, store.urls)),
  );
}

function listLabels({ store, request, repo }: RepoCall): StandInResponse {
  return listPage(store, request, [...repo.labels.values()], (label) =>
    labelJson(label, repo.fullName, store.urls),
  );
}

function getLabel({ store, request, repo, documentationUrl }: RepoCall): StandInResponse {
  const label = repo.labels.get((request.params.name ?? '').toLowerCase());
  if (!label) throw notFound(documentationUrl);
  return json(200, labelJson(label, repo.fullName, store.urls));
}

function createLabel({ store, request, repo, documentationUrl }: RepoCall): StandInResponse {
  const input = readJsonObject(request, documentationUrl);
  if (typeof input.name !== 'string' || input.name === '') {
    throw invalidRequest(documentationUrl, '"name" wasn\'t supplied.');
  }
  const color = input.color === undefined ? 'ededed' : input.color;
  if (typeof color !== 'string' || !/^[0-9a-fA-F]{6}$/.test(color)) {
    throw validationFailed(documentationUrl, [
      { resource: 'Label', code: 'invalid', field: 'color' },
    ]);
  }
  if (repo.labels.has(input.name.toLowerCase())) {
    throw validationFailed(documentationUrl, [
      { resource: 'Label', code: 'already_exists', field: 'name' },
    ]);
  }
  const label = ensureLabel(store, repo, input.name);
  label.color = color.toLowerCase();
  label.description = typeof input.description === 'string' ? input.description : null;
  return json(201, labelJson(label, repo.fullName, store.urls));
}
