// The GitHub stand-in, exercised with the real Octokit from @actions/github plus the retry and
// throttling plugins the actions use.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import {
  MAX_BODY_CHARACTERS,
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../src/github/github-stand-in.js';

const REPO = 'Codertocat/Hello-World';
const [owner, repo] = REPO.split('/') as [string, string];
const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const MERGE_SHA = '7638417db6d59f3c431d3e1f261cc637155684cd';

interface ThrottleCalls {
  secondary: number[];
  primary: number[];
}

/** Octokit as @actions/github builds it, without plugins: quick for the behaviour tests. */
function plain(github: GitHubStandIn, token: string) {
  return getOctokit(token, { baseUrl: github.apiUrl });
}

/**
 * Octokit with the retry and throttling plugins the actions use, their waits scaled down.
 * plugin-throttling still spaces writes one second apart (its shared "write" group).
 */
function withPlugins(
  github: GitHubStandIn,
  token: string,
  calls?: ThrottleCalls,
  retrySecondary = true,
) {
  return getOctokit(
    token,
    {
      baseUrl: github.apiUrl,
      retry: { retryAfterBaseValue: 5 },
      throttle: {
        retryAfterBaseValue: 5,
        onSecondaryRateLimit: (retryAfter: number) => {
          calls?.secondary.push(retryAfter);
          return retrySecondary;
        },
        onRateLimit: (retryAfter: number) => {
          calls?.primary.push(retryAfter);
          return true;
        },
      },
    } as Parameters<typeof getOctokit>[1],
    retry,
    throttling,
  );
}

async function statusOf(promise: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await promise;
    return { status: 0, data: undefined };
  } catch (error) {
    const failure = error as { status?: number; response?: { data?: unknown } };
    return { status: failure.status ?? -1, data: failure.response?.data };
  }
}

describe('GitHub REST stand-in with Octokit', () => {
  let github: GitHubStandIn;
  let octokit: ReturnType<typeof plain>;
  let issueNumber: number;

  beforeAll(async () => {
    github = await startGitHubStandIn();
    octokit = plain(github, github.writeToken);
  });

  afterEach(() => {
    github.clearFaults();
    github.clearRequests();
  });

  afterAll(async () => {
    await github.close();
  });

  it('creates, reads, updates and deletes an issue comment with GitHub shapes', async () => {
    issueNumber = github.addIssue(REPO, { title: 'Tracking' }).number;
    const created = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body: 'first',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      body: 'first',
      user: { login: 'github-actions[bot]', type: 'Bot', id: 41898282 },
      html_url: `https://github.com/${REPO}/issues/${issueNumber}#issuecomment-${created.data.id}`,
      issue_url: `${github.apiUrl}/repos/${REPO}/issues/${issueNumber}`,
    });
    expect(created.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Buffer.from(created.data.node_id, 'base64').toString()).toBe(
      `012:IssueComment${created.data.id}`,
    );

    const fetched = await octokit.rest.issues.getComment({
      owner,
      repo,
      comment_id: created.data.id,
    });
    expect(fetched.data.body).toBe('first');

    const updated = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: 'second',
    });
    expect(updated.data.body).toBe('second');
    expect(github.comments(REPO, issueNumber).map((c) => c.body)).toEqual(['second']);

    const deleted = await octokit.rest.issues.deleteComment({
      owner,
      repo,
      comment_id: created.data.id,
    });
    expect(deleted.status).toBe(204);
    expect(github.comments(REPO, issueNumber)).toEqual([]);
    expect(
      (await statusOf(octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id })))
        .status,
    ).toBe(404);
  });

  it('refuses a 70,000-character comment with 422 and GitHub error JSON, accepts exactly 65,536', async () => {
    const refused = await statusOf(
      octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issueNumber,
        body: 'x'.repeat(70_000),
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    });
    // plugin-retry does not retry a 422.
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(github.comments(REPO, issueNumber)).toEqual([]);

    const atLimit = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body: 'y'.repeat(MAX_BODY_CHARACTERS),
    });
    expect(atLimit.status).toBe(201);
    const tooLongUpdate = await statusOf(
      octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: atLimit.data.id,
        body: 'z'.repeat(MAX_BODY_CHARACTERS + 1),
      }),
    );
    expect(tooLongUpdate.status).toBe(422);
    expect(github.comments(REPO, issueNumber)[0]?.body).toBe('y'.repeat(MAX_BODY_CHARACTERS));
  });

  it('paginates comments with per_page, page and Link headers; octokit.paginate gets them all', async () => {
    const number = github.addIssue(REPO, { title: 'Many comments' }).number;
    for (let i = 1; i <= 75; i++) github.addComment(REPO, number, `comment ${i}`);

    const first = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: 20,
    });
    expect(first.data).toHaveLength(20);
    expect(first.headers.link).toContain('page=2>; rel="next"');
    expect(first.headers.link).toContain('page=4>; rel="last"');
    expect(first.headers.link).not.toContain('rel="prev"');

    const last = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: 20,
      page: 4,
    });
    expect(last.data.map((c) => c.body)).toEqual(
      Array.from({ length: 15 }, (_, i) => `comment ${61 + i}`),
    );
    expect(last.headers.link).toContain('rel="prev"');
    expect(last.headers.link).not.toContain('rel="next"');

    github.clearRequests();
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: number,
      per_page: 20,
    });
    expect(all.map((c) => c.body)).toEqual(
      Array.from({ length: 75 }, (_, i) => `comment ${i + 1}`),
    );
    expect(github.requests.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3', '4']);

    // Default page size 30, maximum 100.
    const defaults = await octokit.rest.issues.listComments({ owner, repo, issue_number: number });
    expect(defaults.data).toHaveLength(30);
    const capped = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: 500,
    });
    expect(capped.data).toHaveLength(75);
    expect(capped.headers.link).toBeUndefined();
  });

  it('gives a read-only token 403 on writes and lets it read', async () => {
    const reader = withPlugins(github, github.readToken);
    const list = await reader.rest.issues.listComments({ owner, repo, issue_number: issueNumber });
    expect(list.status).toBe(200);
    const write = await statusOf(
      reader.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: 'nope' }),
    );
    expect(write.status).toBe(403);
    expect(write.data).toMatchObject({ message: 'Resource not accessible by integration' });
    for (const attempt of [
      () => reader.rest.issues.create({ owner, repo, title: 't' }),
      () => reader.rest.issues.update({ owner, repo, issue_number: issueNumber, state: 'closed' }),
      () => reader.rest.issues.createLabel({ owner, repo, name: 'drift' }),
    ]) {
      expect((await statusOf(attempt())).status).toBe(403);
    }
    // Neither plugin retries a plain 403.
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(4);
    expect(github.issue(REPO, issueNumber)?.state).toBe('open');
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const anonymous = await fetch(`${github.apiUrl}/repos/${REPO}/issues`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      message: 'Requires authentication',
      status: '401',
    });
    const unknown = await statusOf(
      plain(github, 'ghp_notAToken').rest.issues.listForRepo({ owner, repo }),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.data).toMatchObject({ message: 'Bad credentials' });
  });

  it('answers 404 with GitHub error JSON for unknown resources', async () => {
    const cases = [
      octokit.rest.issues.get({ owner, repo, issue_number: 9999 }),
      octokit.rest.issues.listComments({ owner, repo: 'nope', issue_number: 1 }),
      octokit.rest.issues.getComment({ owner, repo, comment_id: 1 }),
      octokit.rest.issues.getLabel({ owner, repo, name: 'missing' }),
      octokit.rest.pulls.get({ owner, repo, pull_number: issueNumber }),
      octokit.request('GET /meta'),
    ];
    for (const call of cases) {
      const result = await statusOf(call);
      expect(result.status).toBe(404);
      expect(result.data).toMatchObject({ message: 'Not Found', status: '404' });
    }
  });

  it('creates, lists by label and state, updates and closes issues', async () => {
    const drift = await octokit.rest.issues.create({
      owner,
      repo,
      title: 'Drift in aws',
      body: '<!-- drift:aws -->',
      labels: ['drift'],
    });
    expect(drift.status).toBe(201);
    expect(drift.data.labels).toEqual([
      expect.objectContaining({ name: 'drift', color: 'ededed' }),
    ]);
    expect(github.labels(REPO)).toContain('drift');
    await octokit.rest.issues.create({ owner, repo, title: 'Unrelated' });

    const open = await octokit.rest.issues.listForRepo({ owner, repo, labels: 'drift' });
    expect(open.data.map((i) => i.title)).toEqual(['Drift in aws']);
    expect(open.data[0]?.pull_request).toBeUndefined();

    const updated = await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: drift.data.number,
      title: 'Drift in aws (2)',
      body: 'updated',
      state: 'closed',
    });
    expect(updated.data).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      body: 'updated',
    });
    expect(updated.data.closed_at).not.toBeNull();

    expect((await octokit.rest.issues.listForRepo({ owner, repo, labels: 'drift' })).data).toEqual(
      [],
    );
    const closed = await octokit.rest.issues.listForRepo({
      owner,
      repo,
      labels: 'DRIFT',
      state: 'closed',
    });
    expect(closed.data.map((i) => i.title)).toEqual(['Drift in aws (2)']);

    const reopened = await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: drift.data.number,
      state: 'open',
    });
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
    });

    const invalid = await statusOf(
      octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: drift.data.number,
        // Deliberately outside the typed API: the stand-in must refuse it.
        state: 'bogus' as 'open',
        title: 'should not apply',
      }),
    );
    expect(invalid.status).toBe(422);
    expect(github.issue(REPO, drift.data.number)?.title).toBe('Drift in aws (2)');

    const fetched = await octokit.rest.issues.get({ owner, repo, issue_number: drift.data.number });
    expect(fetched.data.html_url).toBe(`https://github.com/${REPO}/issues/${drift.data.number}`);

    const missingTitle = await statusOf(
      octokit.request('POST /repos/{owner}/{repo}/issues', { owner, repo } as {
        owner: string;
        repo: string;
        title: string;
      }),
    );
    expect(missingTitle.status).toBe(422);
    const tooLong = await statusOf(
      octokit.rest.issues.create({ owner, repo, title: 't', body: 'b'.repeat(70_000) }),
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.data).toMatchObject({ errors: [{ resource: 'Issue', field: 'body' }] });
  });

  it('gets and creates labels, refusing duplicates', async () => {
    const created = await octokit.rest.issues.createLabel({
      owner,
      repo,
      name: 'rollout',
      color: 'B60205',
      description: 'traffic shift',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      name: 'rollout',
      color: 'b60205',
      description: 'traffic shift',
    });
    const fetched = await octokit.rest.issues.getLabel({ owner, repo, name: 'Rollout' });
    expect(fetched.data.id).toBe(created.data.id);
    const duplicate = await statusOf(
      octokit.rest.issues.createLabel({ owner, repo, name: 'ROLLOUT' }),
    );
    expect(duplicate.status).toBe(422);
    expect(duplicate.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
    });
  });

  it('adds labels to an issue, creating unknown ones, and lists the repository labels', async () => {
    const number = github.addIssue(REPO, { title: 'Label me' }).number;
    const added = await octokit.rest.issues.addLabels({
      owner,
      repo,
      issue_number: number,
      labels: ['drift', 'stack:aws'],
    });
    expect(added.data.map((label) => label.name)).toEqual(['drift', 'stack:aws']);
    expect(github.issue(REPO, number)?.labels).toEqual(['drift', 'stack:aws']);
    const all = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo });
    expect(all.map((label) => label.name)).toEqual(expect.arrayContaining(['drift', 'stack:aws']));
    const byLabel = await octokit.rest.issues.listForRepo({
      owner,
      repo,
      labels: 'drift,stack:aws',
    });
    expect(byLabel.data.map((issue) => issue.number)).toEqual([number]);
  });

  it('finds pull requests by commit and returns a pull request with merge details', async () => {
    github.addPullRequest(REPO, {
      number: 42,
      headSha: HEAD_SHA,
      headRef: 'changes',
      merged: true,
      mergeCommitSha: MERGE_SHA,
      title: 'Update the README',
    });
    github.addPullRequest(REPO, { number: 43, headSha: 'a'.repeat(40) });
    const squashSha = 'b'.repeat(40);
    github.associateCommit(REPO, squashSha, 43);

    const byMerge = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner,
      repo,
      commit_sha: MERGE_SHA,
    });
    expect(byMerge.data.map((pull) => pull.number)).toEqual([42]);
    expect(byMerge.data[0]).toMatchObject({
      state: 'closed',
      merge_commit_sha: MERGE_SHA,
      head: { sha: HEAD_SHA, ref: 'changes' },
      base: { ref: 'main', repo: { full_name: REPO } },
    });
    expect(byMerge.data[0]?.merged_at).not.toBeNull();
    expect(
      (
        await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner,
          repo,
          commit_sha: HEAD_SHA,
        })
      ).data.map((pull) => pull.number),
    ).toEqual([42]);
    expect(
      (
        await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner,
          repo,
          commit_sha: squashSha,
        })
      ).data.map((pull) => pull.number),
    ).toEqual([43]);
    expect(
      (
        await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner,
          repo,
          commit_sha: 'c'.repeat(40),
        })
      ).data,
    ).toEqual([]);

    const pull = await octokit.rest.pulls.get({ owner, repo, pull_number: 42 });
    expect(pull.data).toMatchObject({
      number: 42,
      merged: true,
      merge_commit_sha: MERGE_SHA,
      title: 'Update the README',
    });
    const open = await octokit.rest.pulls.get({ owner, repo, pull_number: 43 });
    expect(open.data).toMatchObject({ state: 'open', merged: false, merged_at: null });

    // A pull request is an issue: its comments go through the issue endpoints.
    const comment = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 43,
      body: 'plan',
    });
    expect(comment.data.html_url).toBe(
      `https://github.com/${REPO}/pull/43#issuecomment-${comment.data.id}`,
    );
    expect(github.issue(REPO, 43)).toMatchObject({
      isPullRequest: true,
      comments: [{ body: 'plan' }],
    });
  });

  it('injects a secondary rate limit that plugin-throttling waits out and retries', async () => {
    const calls: ThrottleCalls = { secondary: [], primary: [] };
    const throttled = withPlugins(github, github.writeToken, calls);
    const fault = github.injectSecondaryRateLimit({
      method: 'POST',
      path: '/repos/:owner/:repo/issues/:number/comments',
      retryAfterSeconds: 2,
    });
    const created = await throttled.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body: 'after the limit',
    });
    expect(created.status).toBe(201);
    expect(fault.hits).toBe(1);
    expect(calls.secondary).toEqual([2]);
    expect(github.requests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 403],
      ['POST', 201],
    ]);
    expect(github.requests[0]?.responseBody).toContain('You have exceeded a secondary rate limit');
  });

  it('surfaces the secondary rate limit when the client chooses not to retry', async () => {
    const giveUp = withPlugins(github, github.writeToken, { secondary: [], primary: [] }, false);
    github.injectSecondaryRateLimit({ times: Infinity, retryAfterSeconds: 30 });
    const result = await statusOf(
      giveUp.rest.issues.get({ owner, repo, issue_number: issueNumber }),
    );
    expect(result.status).toBe(403);
    expect(result.data).toMatchObject({
      message: expect.stringContaining('You have exceeded a secondary rate limit'),
      documentation_url: expect.stringContaining('secondary-rate-limits'),
    });
  });

  it('injects 5xx that plugin-retry retries, and fails after its retries run out', async () => {
    const retrying = withPlugins(github, github.writeToken);
    github.injectServerError({ method: 'GET', status: 502, times: 2 });
    const ok = await retrying.rest.issues.get({ owner, repo, issue_number: issueNumber });
    expect(ok.status).toBe(200);
    expect(github.requests.map((r) => r.status)).toEqual([502, 502, 200]);

    github.clearRequests();
    github.injectServerError({ status: 503, times: Infinity });
    const failed = await statusOf(
      retrying.rest.issues.get({ owner, repo, issue_number: issueNumber }),
    );
    expect(failed.status).toBe(503);
    // One attempt plus plugin-retry's three retries.
    expect(github.requests).toHaveLength(4);
  });

  it('sends rate-limit headers on every response', async () => {
    const response = await octokit.rest.issues.get({ owner, repo, issue_number: issueNumber });
    expect(response.headers['x-ratelimit-limit']).toBe('5000');
    expect(Number(response.headers['x-ratelimit-remaining'])).toBeLessThan(5000);
    expect(response.headers['x-github-request-id']).toBeTruthy();
  });
});

describe('GitHub stand-in below a GitHub Enterprise path prefix', () => {
  it('serves the API under /api/v3 with Link headers that keep the prefix', async () => {
    const github = await startGitHubStandIn({
      pathPrefix: '/api/v3',
      repositories: ['acme/infra'],
      htmlUrl: 'https://ghe.example.com',
    });
    try {
      expect(github.apiUrl).toBe(`${github.url}/api/v3`);
      const octokit = plain(github, github.writeToken);
      const number = github.addIssue('acme/infra', { title: 'x' }).number;
      for (let i = 0; i < 5; i++) github.addComment('acme/infra', number, `c${i}`);
      const all = await octokit.paginate(octokit.rest.issues.listComments, {
        owner: 'acme',
        repo: 'infra',
        issue_number: number,
        per_page: 2,
      });
      expect(all).toHaveLength(5);
      expect(all[0]?.html_url).toMatch(/^https:\/\/ghe\.example\.com\/acme\/infra\/issues\//);
      expect(github.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
      expect((await fetch(`${github.url}/repos/acme/infra/issues`)).status).toBe(404);
    } finally {
      await github.close();
    }
  });
});

describe('GitHub stand-in tokens and users', () => {
  const mallory = { login: 'mallory', id: 9_000_001, type: 'User' as const };

  it('authors what a token creates as the user of that token, and keeps comments in their repository', async () => {
    const github = await startGitHubStandIn({
      tokens: [
        { token: 'ghs_botToken', permission: 'write' },
        { token: 'ghp_malloryToken', permission: 'write', user: mallory },
      ],
    });
    try {
      const number = github.addIssue(REPO, { title: 'plan' }).number;
      const bot = plain(github, 'ghs_botToken');
      const person = plain(github, 'ghp_malloryToken');
      await bot.rest.issues.createComment({ owner, repo, issue_number: number, body: 'plan' });
      const forged = await person.rest.issues.createComment({
        owner,
        repo,
        issue_number: number,
        body: 'plan',
      });
      expect(forged.data.user).toMatchObject({ login: 'mallory', type: 'User' });
      const listed = await bot.rest.issues.listComments({ owner, repo, issue_number: number });
      expect(listed.data.map((c) => [c.user?.login, c.user?.type])).toEqual([
        ['github-actions[bot]', 'Bot'],
        ['mallory', 'User'],
      ]);
      expect(github.comments(REPO, number).map((c) => c.user)).toEqual([
        'github-actions[bot]',
        'mallory',
      ]);
      const issue = await person.rest.issues.create({ owner, repo, title: 'by mallory' });
      expect(issue.data.user).toMatchObject({ login: 'mallory', type: 'User' });
      expect(github.writeToken).toBe('ghs_botToken');
      expect(github.readToken).toBe('');

      // A comment id is found only through the repository that holds it.
      const other = { owner: 'octo-org', repo: 'octo-repo', comment_id: forged.data.id };
      expect((await statusOf(bot.rest.issues.getComment(other))).status).toBe(404);
      expect((await statusOf(bot.rest.issues.deleteComment(other))).status).toBe(404);
      expect(github.comments(REPO, number)).toHaveLength(2);
    } finally {
      await github.close();
    }
  });
});

describe('GitHub stand-in issue events (labels over time, merges)', () => {
  let github: GitHubStandIn;

  beforeAll(async () => {
    github = await startGitHubStandIn();
  });
  afterAll(async () => {
    await github.close();
  });

  it('records labeled and unlabeled events with the actor and time, then merged and closed', async () => {
    const octokit = plain(github, github.writeToken);
    const { number } = github.addPullRequest(REPO, { headSha: HEAD_SHA });
    await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: ['keep'] });
    await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: ['Keep'] });
    const removed = await octokit.rest.issues.removeLabel({
      owner,
      repo,
      issue_number: number,
      name: 'keep',
    });
    expect(removed.data).toEqual([]);
    const merged = new Date('2026-12-01T10:00:00Z');
    github.mergePullRequest(REPO, number, { at: merged, mergeCommitSha: MERGE_SHA });
    github.labelIssue(REPO, number, 'late', { at: new Date('2026-12-01T10:05:00Z') });

    const events = await octokit.paginate(octokit.rest.issues.listEvents, {
      owner,
      repo,
      issue_number: number,
      per_page: 2,
    });
    expect(
      events.map((event) => [event.event, 'label' in event ? event.label?.name : null]),
    ).toEqual([
      ['labeled', 'keep'],
      ['unlabeled', 'keep'],
      ['merged', null],
      ['closed', null],
      ['labeled', 'late'],
    ]);
    expect(events[0]?.actor?.login).toBe('github-actions[bot]');
    expect(events[2]).toMatchObject({ created_at: '2026-12-01T10:00:00Z', commit_id: MERGE_SHA });
    const pull = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    expect(pull.data).toMatchObject({
      merged: true,
      merged_at: '2026-12-01T10:00:00Z',
      state: 'closed',
    });
    expect(pull.data.labels.map((label) => label.name)).toEqual(['late']);
  });

  it('answers 404 for a label the issue does not carry, and 403 to a read-only token', async () => {
    const { number } = github.addPullRequest(REPO, { headSha: HEAD_SHA });
    const writer = plain(github, github.writeToken);
    const missing = await statusOf(
      writer.rest.issues.removeLabel({ owner, repo, issue_number: number, name: 'nope' }),
    );
    expect(missing).toMatchObject({ status: 404, data: { message: 'Label does not exist' } });
    github.labelIssue(REPO, number, 'allow-data-loss');
    const reader = plain(github, github.readToken);
    const denied = await statusOf(
      reader.rest.issues.removeLabel({
        owner,
        repo,
        issue_number: number,
        name: 'allow-data-loss',
      }),
    );
    expect(denied.status).toBe(403);
    const events = await reader.rest.issues.listEvents({ owner, repo, issue_number: number });
    expect(events.data.map((event) => event.event)).toEqual(['labeled']);
  });
});
