// The stand-in's JSON against GitHub's own example payloads (@octokit/webhooks-examples): the
// webhook objects are GitHub's REST representations, so every field an example carries must be
// in what the stand-in answers (newer REST fields the examples predate may be extra).
import { describe, expect, it } from '@jest/globals';
import { webhookExample } from '../../../test-bench/src/github-events.js';
import {
  commentJson,
  issueJson,
  labelJson,
  pullJson,
  userJson,
  type IssueRecord,
  type PullRecord,
  type UserRecord,
} from '../../src/github/shapes.js';

const urls = { api: 'https://api.github.com', html: 'https://github.com' };
const repo = 'Codertocat/Hello-World';
const created = new Date('2026-11-24T10:00:00Z');
const user: UserRecord = { login: 'Codertocat', id: 21031067, type: 'User' };
const label = { id: 7, name: 'drift', color: 'd73a4a', description: null, default: false };
const pull: PullRecord = {
  id: 279147437,
  number: 2,
  headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  headRef: 'changes',
  baseRef: 'master',
  baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
  merged: false,
  mergedAt: null,
  mergeCommitSha: null,
  draft: false,
};
const issue: IssueRecord = {
  id: 444500041,
  number: 2,
  title: 'Update the README with new information.',
  body: null,
  state: 'open',
  stateReason: null,
  labels: [label.name],
  user,
  createdAt: created,
  updatedAt: created,
  closedAt: null,
  pull,
};

/** The example's field names that `ours` lacks (its own extra fields are allowed). */
function missingFields(ours: object, example: object): string[] {
  return Object.keys(example).filter((key) => !(key in ours));
}

describe('GitHub stand-in JSON has every field of the webhook examples', () => {
  const commented = webhookExample('issue_comment', (payload) => payload.action === 'created');
  const labeled = webhookExample('issues', (payload) => payload.action === 'labeled');
  const opened = webhookExample('pull_request', (payload) => payload.action === 'opened');

  it('users, labels, comments and issues', () => {
    const comment = {
      id: 1,
      repo,
      issueNumber: 1,
      body: 'x',
      user,
      createdAt: created,
      updatedAt: created,
    };
    expect(missingFields(userJson(user, urls), commented.comment.user)).toEqual([]);
    const exampleLabel = 'label' in labeled ? labeled.label : undefined;
    expect(exampleLabel).toBeDefined();
    expect(missingFields(labelJson(label, repo, urls), exampleLabel ?? {})).toEqual([]);
    expect(missingFields(commentJson(comment, urls, false), commented.comment)).toEqual([]);
    const plainIssue = { ...issue, pull: undefined };
    expect(missingFields(issueJson(plainIssue, repo, [label], 0, urls), commented.issue)).toEqual(
      [],
    );
  });

  it('a pull request and its head and base branches', () => {
    const json = pullJson(issue, pull, repo, user, 1296269, [label], 0, urls, true);
    expect(missingFields(json, opened.pull_request)).toEqual([]);
    expect(missingFields(json.head, opened.pull_request.head)).toEqual([]);
    expect(missingFields(json.base, opened.pull_request.base)).toEqual([]);
    // The branch's repository is abbreviated to what the actions read, with GitHub's names.
    const exampleRepo = opened.pull_request.head.repo ?? {};
    expect(Object.keys(json.head.repo).filter((key) => !(key in exampleRepo))).toEqual([]);
    expect(json.html_url).toBe(opened.pull_request.html_url);
    expect(json.diff_url).toBe(opened.pull_request.diff_url);
  });
});
